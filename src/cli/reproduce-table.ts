/**
 * `reclaimsim reproduce`'s table: one row per profile or variant, built from that row's runs
 * (reproduceRow), printed as aligned text (formatReproduceTable) or as the rows of `--json`.
 * docs/flagship.md defines the columns and the JSON keys.
 */
import type { Profile, Variant } from '../scenario/params.js';
import { countStalls, formatStalls, type RunResult } from '../scenario/result.js';
import { formatDuration } from '../scenario/units.js';

/** One row of the table, as `--json` prints it. */
export interface ReproduceRow {
  profile: Profile;
  variants: Variant[];
  runs: number;
  livelock: number;
  deadlock: number;
  completed: number;
  /** Runs stopped by checks.time_limit or checks.event_limit before any other verdict (LIMIT). */
  limit: number;
  /** What stopped the stalled runs (result.ts StallKind): kind -> runs, in order of first appearance. */
  stalls: Record<string, number>;
  median_time_to_livelock_ns: number | null;
  median_time_to_finish_ns: number | null;
  /** Pages under writeback when the run stopped, over the runs that stalled (0 if none did). */
  max_writeback_pages_stuck: number;
  alloc_failure_reports: number;
  free_list_uses: number;
  bytes_per_command: number;
  /** Pages between the lowest free count and the GFP_ATOMIC line, over the row's runs (<= 0: reached). */
  min_atomic_line_margin_pages: number;
}

function median(a: readonly number[]): number | null {
  return a.length === 0 ? null : a[Math.floor((a.length - 1) / 2)]!;
}

/** The row of one kernel (profile and variants) from its runs, one per seed. */
export function reproduceRow(kernel: { profile: Profile; variants: Variant[] }, results: readonly RunResult[]): ReproduceRow {
  if (results.length === 0) throw new Error('reproduceRow: a row needs at least one run');
  const count = (v: RunResult['verdict']): number => results.filter((r) => r.verdict === v).length;
  const ttl = results.map((r) => r.time_to_livelock_ns).filter((x): x is number => x !== null).sort((a, b) => a - b);
  const fin = results.map((r) => r.time_to_finish_ns).filter((x): x is number => x !== null).sort((a, b) => a - b);
  return {
    profile: kernel.profile,
    variants: kernel.variants,
    runs: results.length,
    livelock: count('LIVELOCK'),
    deadlock: count('DEADLOCK'),
    completed: count('COMPLETED'),
    limit: count('LIMIT'),
    stalls: countStalls(results),
    median_time_to_livelock_ns: median(ttl),
    median_time_to_finish_ns: median(fin),
    max_writeback_pages_stuck: Math.max(0, ...results.filter((r) => r.verdict === 'LIVELOCK' || r.verdict === 'DEADLOCK').map((r) => r.writeback_pages_stuck)),
    alloc_failure_reports: results.reduce((s, r) => s + r.alloc_failure_reports, 0),
    free_list_uses: results.reduce((s, r) => s + r.free_list_uses, 0),
    bytes_per_command: results[0]!.bytes_per_command,
    min_atomic_line_margin_pages: Math.min(...results.map((r) => r.figures['atomic_line_margin_pages'] ?? Infinity)),
  };
}

function seconds(ns: number | null): string {
  return ns === null ? '-' : `${(ns / 1e9).toFixed(1)}s`;
}

/**
 * The column titles. Every verdict has its column, shown even when it counts 0 (as `deadlock`
 * always was): the columns stay the same from one run of the command to the next, and `runs` is
 * the sum of the four.
 */
export const REPRODUCE_COLUMNS = ['profile+variants', 'runs', 'livelock', 'deadlock', 'completed', 'limit', 'stall', 'med. livelock at', 'stuck in writeback', 'alloc-fail reports', 'free-list uses', 'med. finish', 'bytes/cmd', 'atomic-line margin'] as const;

/** The table as text lines: the header, then one line per row; names align left, numbers right. */
export function formatReproduceTable(rows: readonly ReproduceRow[]): string[] {
  const head: readonly string[] = REPRODUCE_COLUMNS;
  const lines = rows.map((t) => [
    t.profile + (t.variants.length ? `+${t.variants.join(',')}` : ''),
    String(t.runs), String(t.livelock), String(t.deadlock), String(t.completed), String(t.limit), formatStalls(t.stalls),
    seconds(t.median_time_to_livelock_ns), t.livelock + t.deadlock > 0 ? String(t.max_writeback_pages_stuck) : '-', String(t.alloc_failure_reports), String(t.free_list_uses), seconds(t.median_time_to_finish_ns), String(t.bytes_per_command),
    String(t.min_atomic_line_margin_pages),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: readonly string[]): string => cols.map((c, i) => (i === 0 || head[i] === 'stall' ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [fmt(head), ...lines.map(fmt)];
}

/**
 * The notes printed under the table. Runs that hit a limit are named first: they found nothing,
 * and a row made of them must not read as a kernel that got through. rc8's "did not livelock"
 * note explains a margin, which a run cut short does not show, so it is left out then.
 */
export function reproduceNotes(rows: readonly ReproduceRow[], checks: { time_limit_ns: number; event_limit: number; watchdog_window_ns: number }): string[] {
  const notes: string[] = [];
  const limited = rows.reduce((s, t) => s + t.limit, 0);
  if (limited > 0) {
    const runs = rows.reduce((s, t) => s + t.runs, 0);
    notes.push(
      '',
      `NOTE: ${limited} of ${runs} runs stopped at a limit (checks.time_limit ${formatDuration(checks.time_limit_ns)} or checks.event_limit ${checks.event_limit}) before any`,
      `other verdict: the "limit" column. They show neither a livelock nor a finish: a stall is judged only after`,
      `checks.watchdog_window (${formatDuration(checks.watchdog_window_ns)}) without progress. Raise the limit to judge them (--set checks.time_limit=...).`,
    );
  }
  const rc8 = rows[0];
  if (rc8 !== undefined && rc8.livelock + rc8.deadlock === 0 && rc8.limit === 0) {
    notes.push('');
    if (rc8.min_atomic_line_margin_pages > 0) {
      notes.push(
        `NOTE: the 2.6.25-rc8 row did not livelock: free memory stayed ${rc8.min_atomic_line_margin_pages} pages above the GFP_ATOMIC line`,
        '(the "atomic-line margin" column), so kblockd\'s sense allocation never lacked a page. See docs/flagship.md',
        'for what takes free memory past that line and what keeps it away (kernel-tree.yaml).',
      );
    } else {
      notes.push(
        'NOTE: the 2.6.25-rc8 row did not livelock although free memory reached the GFP_ATOMIC line: each squeeze',
        'ended while commands were still in flight. See docs/flagship.md.',
      );
    }
  }
  return notes;
}
