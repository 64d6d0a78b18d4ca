/**
 * Sweep statistics: verdict counts per group, the Wilson score interval for the livelock rate, the
 * stall kinds of the stalled runs, the median time to livelock, and the squeezes: how many runs
 * had one, and how many squeezes ended before their run did.
 */
import type { RunRecord } from './types.js';
import { countStalls, formatStalls } from '../scenario/result.js';

/** 95% Wilson score interval for k successes out of n trials ([0, 1] when n = 0). */
export function wilson(k: number, n: number, z = 1.959963984540054): { lo: number; hi: number } {
  if (n === 0) return { lo: 0, hi: 1 };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { lo: Math.max(0, center - half), hi: Math.min(1, center + half) };
}

/** The label summaries print for a kernel: profile, then +variant,... when it has any. */
export function sideLabel(s: { profile: string; variants: readonly string[] }): string {
  return s.profile + (s.variants.length ? `+${s.variants.join(',')}` : '');
}

/** Median (lower middle for even counts), or null for an empty list. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/**
 * The --set values a record shares with the rest of its sweep: its `sets` without the cell's own
 * (a record's sets are the sweep's base values followed by its cell's, and its cell label is the
 * cell's values joined by spaces).
 */
export function baseSets(r: Pick<RunRecord, 'sets' | 'cell_label'>): string[] {
  if (r.cell_label === '') return [...r.sets];
  for (let k = 0; k < r.sets.length; k++) if (r.sets.slice(k).join(' ') === r.cell_label) return r.sets.slice(0, k);
  return [...r.sets];
}

/** The scenario a record ran, as summaries name it: its source and the sweep's base --set values. */
export function scenarioLabel(r: Pick<RunRecord, 'source' | 'sets' | 'cell_label'>): string {
  return [r.source, ...baseSets(r).map((x) => `--set ${x}`)].join(' ');
}

export interface GroupSummary {
  /** The scenario: its source and the sweep's base --set values (scenarioLabel). */
  scenario: string;
  profile: string;
  variants: string[];
  /** Cell label ("" for the base scenario; swarm sweeps group all cells together as "swarm"). */
  cell: string;
  runs: number;
  livelock: number;
  deadlock: number;
  completed: number;
  limit: number;
  livelock_rate: number;
  livelock_ci95: [number, number];
  /** LIVELOCK and DEADLOCK runs by stall kind (result.ts StallKind); records without one are left out. */
  stalls: Record<string, number>;
  median_time_to_livelock_ns: number | null;
  /**
   * Runs with at least one squeeze (free memory at or below the GFP_ATOMIC line wherever an atomic
   * allocation may go), and squeezes that ended before their run did, over the group's records
   * that have them; null when none has (records of model versions before 19).
   */
  squeezed_runs: number | null;
  squeezes_ended: number | null;
  /** Runs checked twice, and mismatches among them. */
  checked: number;
  mismatches: number;
}

/**
 * Groups records by (scenario, profile, variants, cell) in first-seen order, so that runs of two
 * scenarios, or of one scenario with other base --set values, never share a rate. `mergeCells`
 * merges all cells of a scenario.
 */
export function summarize(records: readonly RunRecord[], opts: { mergeCells?: boolean } = {}): GroupSummary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    const cell = opts.mergeCells ? (r.cell < 0 ? 'swarm' : '') : r.cell < 0 ? 'swarm' : r.cell_label;
    const key = JSON.stringify([scenarioLabel(r), r.profile, r.variants, cell]);
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.entries()].map(([key, rs]) => {
    const [scenario, profile, variants, cell] = JSON.parse(key) as [string, string, string[], string];
    const count = (v: string): number => rs.filter((r) => r.verdict === v).length;
    const livelock = count('LIVELOCK');
    const ci = wilson(livelock, rs.length);
    return {
      scenario,
      profile,
      variants,
      cell,
      runs: rs.length,
      livelock,
      deadlock: count('DEADLOCK'),
      completed: count('COMPLETED'),
      limit: count('LIMIT'),
      livelock_rate: rs.length ? livelock / rs.length : 0,
      livelock_ci95: [ci.lo, ci.hi],
      stalls: countStalls(rs),
      median_time_to_livelock_ns: median(rs.filter((r) => r.verdict === 'LIVELOCK' && r.time_to_livelock_ns !== null).map((r) => r.time_to_livelock_ns!)),
      ...squeezeCounts(rs),
      checked: rs.filter((r) => r.determinism !== 'once').length,
      mismatches: rs.filter((r) => r.determinism === 'mismatch').length,
    };
  });
}

/** Each count over the records that have it; null when none has (records of older model versions). */
function squeezeCounts(rs: readonly RunRecord[]): { squeezed_runs: number | null; squeezes_ended: number | null } {
  const counted = rs.filter((r) => r.squeezes !== null && r.squeezes !== undefined);
  const ended = rs.filter((r) => r.squeezes_ended !== null && r.squeezes_ended !== undefined);
  return {
    squeezed_runs: counted.length === 0 ? null : counted.filter((r) => r.squeezes! > 0).length,
    squeezes_ended: ended.length === 0 ? null : ended.reduce((n, r) => n + r.squeezes_ended!, 0),
  };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/**
 * The summary as an aligned text table. A `scenario` column comes first when the groups are of
 * more than one scenario (a store that holds several sweeps); otherwise the header above the table
 * names it.
 */
export function formatSummary(groups: readonly GroupSummary[]): string {
  const several = new Set(groups.map((g) => g.scenario)).size > 1;
  const table = formatGroups(groups);
  if (!several) return table;
  const w = Math.max('scenario'.length, ...groups.map((g) => g.scenario.length));
  const lines = table.split('\n');
  return lines.map((l, i) => `${(i === 0 ? 'scenario' : groups[i - 1]!.scenario).padEnd(w)}  ${l}`.trimEnd()).join('\n');
}

function formatGroups(groups: readonly GroupSummary[]): string {
  const head = ['profile+variants', 'cell', 'runs', 'livelock', 'deadlock', 'completed', 'limit', 'livelock rate [95% CI]', 'stall', 'med. livelock at', 'squeezed', 'squeezes ended'];
  const rows = groups.map((g) => [
    sideLabel(g),
    g.cell || '-',
    String(g.runs),
    String(g.livelock),
    String(g.deadlock),
    String(g.completed),
    String(g.limit),
    `${pct(g.livelock_rate)} [${pct(g.livelock_ci95[0])}, ${pct(g.livelock_ci95[1])}]`,
    formatStalls(g.stalls),
    g.median_time_to_livelock_ns === null ? '-' : `${(g.median_time_to_livelock_ns / 1e9).toFixed(1)}s`,
    g.squeezed_runs === null ? '-' : String(g.squeezed_runs),
    g.squeezes_ended === null ? '-' : String(g.squeezes_ended),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // Names (group, cell, stall) align left, numbers right.
  const left = (i: number): boolean => i <= 1 || head[i] === 'stall';
  const fmt = (cols: string[]): string => cols.map((c, i) => (left(i) ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)].join('\n');
}
