/**
 * Paired comparison of two kernels (a profile with its variants) over the same runs: "does my fix
 * remove the livelock everywhere, and does it stall anywhere the baseline did not?"
 *
 * Two stored runs pair when they ran the same scenario, seed and scheduling salt with the same
 * model, and differ only in the profile and variants: the resolved scenario (scenario_json, which
 * carries seed and salt) with `profile` and `variants` taken out is the pairing key. A grid sweep
 * over `profile` or `variants` gives such pairs cell by cell; two swarm sweeps of the same seeds
 * with `--set profile=...` give them machine by machine, because a seed's swarm draw does not
 * depend on --set. A verdict counts per pair, so a candidate that completes in 95% of the seeds
 * is told apart from one that completes in other seeds than the baseline.
 */
import { canonicalJson } from './canonical.js';
import { ExploreError } from './errors.js';
import { median, sideLabel, wilson } from './stats.js';
import type { RunRecord } from './types.js';
import type { StallKind, Verdict } from '../scenario/result.js';
import { PROFILES, VARIANTS } from '../scenario/schema.js';

export { sideLabel };

/** One side of a comparison: a profile and its variants (order does not matter). */
export interface Side {
  profile: string;
  variants: string[];
}

const VERDICT_ORDER = ['COMPLETED', 'LIVELOCK', 'DEADLOCK', 'LIMIT'] as const;

/** "2.6.25-rc8", "2.6.25+noop-ctor" or "2.6.25-rc8+noop-ctor,slab": the label `results` prints. */
export function parseSide(arg: string, flag: string): Side {
  const plus = arg.indexOf('+');
  const profile = plus < 0 ? arg : arg.slice(0, plus);
  if (!(PROFILES as readonly string[]).includes(profile)) {
    throw new ExploreError(`${flag} ${arg}: unknown kernel profile "${profile}"; expected one of ${PROFILES.join(', ')}, optionally followed by +variant[,variant...], such as 2.6.25-rc8+noop-ctor`);
  }
  const variants = plus < 0 ? [] : arg.slice(plus + 1).split(',');
  for (const v of variants) {
    if (!(VARIANTS as readonly string[]).includes(v)) throw new ExploreError(`${flag} ${arg}: unknown variant "${v}"; expected one of ${VARIANTS.join(', ')}`);
  }
  if (new Set(variants).size !== variants.length) throw new ExploreError(`${flag} ${arg}: a variant is named twice`);
  return { profile, variants: [...variants].sort() };
}

function isSide(r: RunRecord, s: Side): boolean {
  return r.profile === s.profile && canonicalJson([...r.variants].sort()) === canonicalJson(s.variants);
}

/** What a pair has in common: model version and the resolved scenario without the kernel. */
function pairKey(r: RunRecord): string {
  const scenario = JSON.parse(r.scenario_json) as Record<string, unknown>;
  delete scenario['profile'];
  delete scenario['variants'];
  return `${r.model_version}\n${canonicalJson(scenario)}`;
}

/** Does the run's scenario apply the fix to the running kernel at some instant (live_patch.at)? */
function livePatched(r: RunRecord): boolean {
  const s = JSON.parse(r.scenario_json) as { live_patch?: { at_ns?: number } };
  return (s.live_patch?.at_ns ?? 0) > 0;
}

function stalled(r: RunRecord): boolean {
  return r.verdict === 'LIVELOCK' || r.verdict === 'DEADLOCK';
}

/** A pair named for the user: both run ids, the seed, and what else set the run apart. */
export interface PairRef {
  baseline_id: number;
  candidate_id: number;
  seed: number;
  sched_salt: number | null;
  /** The cell's settings other than the kernel ("" for the scenario as it is). */
  cell: string;
  /** Each run's verdict with its stall kind, as the text shows it: "LIVELOCK (sense-buffer)". */
  baseline: string;
  candidate: string;
  /** The same, apart, for scripts. */
  baseline_verdict: Verdict;
  baseline_stall: StallKind | null;
  candidate_verdict: Verdict;
  candidate_stall: StallKind | null;
}

export interface Comparison {
  baseline: string;
  candidate: string;
  pairs: number;
  /** matrix[baseline verdict][candidate verdict] = pairs, for the verdicts that occur. */
  matrix: Record<string, Record<string, number>>;
  /** Pairs whose baseline stalled (LIVELOCK or DEADLOCK). */
  baseline_stalled: number;
  /** ... and whose candidate completed: the stalls the candidate removed. */
  fixed: number;
  /** 95% Wilson interval of fixed / baseline_stalled ([0, 1] when nothing stalled). */
  fixed_ci95: [number, number];
  /** Both stalled. */
  still_stalled: number;
  /** The candidate stalled where the baseline completed. */
  new_stalls: number;
  /** Both completed; their median time to finish the workload (ns), over those pairs. */
  both_completed: number;
  median_finish_ns: { baseline: number | null; candidate: number | null };
  /** The median over those pairs of (candidate - baseline) time to finish, ns: what the change costs when it is not needed. */
  median_finish_delta_ns: number | null;
  /** Pairs in which either run hit its time or event limit (no verdict either way). */
  limit: number;
  /**
   * Pairs whose scenario has a live patch (live_patch.at): there a kernel the patch changes may
   * complete only because of it, so its COMPLETED and its time to finish include a rescued stall.
   */
  live_patched: number;
  /** Runs of either side with no partner. */
  unpaired: { baseline: number; candidate: number };
  /** The pairs whose candidate stalled: both stalled, then new stalls. */
  still: PairRef[];
  new: PairRef[];
}

/** The run's grid cell or swarm draw without the kernel (the sweep's own --set values are common to both). */
function cellOf(r: RunRecord): string {
  return r.cell_label
    .split(' ')
    .filter((s) => s !== '' && !/^(profile|variants)=/.test(s))
    .join(' ');
}

function verdictOf(r: RunRecord): string {
  return r.stall ? `${r.verdict} (${r.stall})` : r.verdict;
}

/** Pairs the baseline's runs with the candidate's and counts what changed. Records in id order. */
export function compareRuns(records: readonly RunRecord[], baseline: Side, candidate: Side): Comparison {
  if (sideLabel(baseline) === sideLabel(candidate)) throw new ExploreError(`--candidate ${sideLabel(candidate)}: the same kernel as --baseline; name two different ones`);
  const a = new Map<string, RunRecord>();
  const b = new Map<string, RunRecord>();
  for (const r of records) {
    if (isSide(r, baseline)) a.set(pairKey(r), r);
    else if (isSide(r, candidate)) b.set(pairKey(r), r);
  }
  const matrix: Record<string, Record<string, number>> = {};
  const c: Comparison = {
    baseline: sideLabel(baseline),
    candidate: sideLabel(candidate),
    pairs: 0,
    matrix,
    baseline_stalled: 0,
    fixed: 0,
    fixed_ci95: [0, 1],
    still_stalled: 0,
    new_stalls: 0,
    both_completed: 0,
    median_finish_ns: { baseline: null, candidate: null },
    median_finish_delta_ns: null,
    limit: 0,
    live_patched: 0,
    unpaired: { baseline: 0, candidate: 0 },
    still: [],
    new: [],
  };
  const finishA: number[] = [];
  const finishB: number[] = [];
  const deltas: number[] = [];
  for (const [key, ra] of a) {
    const rb = b.get(key);
    if (rb === undefined) {
      c.unpaired.baseline++;
      continue;
    }
    c.pairs++;
    const row = (matrix[ra.verdict] ??= {});
    row[rb.verdict] = (row[rb.verdict] ?? 0) + 1;
    const ref = (): PairRef => ({
      baseline_id: ra.id,
      candidate_id: rb.id,
      seed: ra.seed,
      sched_salt: ra.sched_salt,
      cell: cellOf(ra),
      baseline: verdictOf(ra),
      candidate: verdictOf(rb),
      baseline_verdict: ra.verdict,
      baseline_stall: ra.stall,
      candidate_verdict: rb.verdict,
      candidate_stall: rb.stall,
    });
    if (ra.verdict === 'LIMIT' || rb.verdict === 'LIMIT') c.limit++;
    if (livePatched(ra)) c.live_patched++;
    if (stalled(ra)) {
      c.baseline_stalled++;
      if (rb.verdict === 'COMPLETED') c.fixed++;
      else if (stalled(rb)) {
        c.still_stalled++;
        c.still.push(ref());
      }
    } else if (ra.verdict === 'COMPLETED') {
      if (stalled(rb)) {
        c.new_stalls++;
        c.new.push(ref());
      } else if (rb.verdict === 'COMPLETED') {
        c.both_completed++;
        if (ra.time_to_finish_ns !== null) finishA.push(ra.time_to_finish_ns);
        if (rb.time_to_finish_ns !== null) finishB.push(rb.time_to_finish_ns);
        if (ra.time_to_finish_ns !== null && rb.time_to_finish_ns !== null) deltas.push(rb.time_to_finish_ns - ra.time_to_finish_ns);
      }
    }
  }
  for (const key of b.keys()) if (!a.has(key)) c.unpaired.candidate++;
  const ci = wilson(c.fixed, c.baseline_stalled);
  c.fixed_ci95 = [ci.lo, ci.hi];
  c.median_finish_ns = { baseline: median(finishA), candidate: median(finishB) };
  c.median_finish_delta_ns = median(deltas);
  return c;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function seconds(ns: number | null): string {
  return ns === null ? '-' : `${(ns / 1e9).toFixed(1)}s`;
}

function signedSeconds(ns: number | null): string {
  if (ns === null) return '-';
  return `${ns >= 0 ? '+' : '-'}${(Math.abs(ns) / 1e9).toFixed(3)}s`;
}

/** The comparison as text: the verdict matrix, what changed, and the pairs whose candidate stalled. */
export function formatComparison(c: Comparison, replay: (id: number) => string, limit = 10): string {
  const lines: string[] = [];
  const cols = VERDICT_ORDER.filter((v) => Object.values(c.matrix).some((row) => (row[v] ?? 0) > 0));
  const rows = VERDICT_ORDER.filter((v) => c.matrix[v] !== undefined);
  if (c.pairs > 0) {
    const head = [`${c.baseline} \\ ${c.candidate}`, ...cols];
    const body = rows.map((v) => [v, ...cols.map((w) => String(c.matrix[v]![w] ?? 0))]);
    const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
    const fmt = (r: string[]): string => r.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join('  ');
    lines.push(fmt(head), ...body.map(fmt), '');
  }
  lines.push(
    c.baseline_stalled > 0
      ? `${c.baseline} stalled in ${c.baseline_stalled} pair(s): ${c.candidate} completed ${c.fixed} of them (${pct(c.fixed / c.baseline_stalled)} [${pct(c.fixed_ci95[0])}, ${pct(c.fixed_ci95[1])}]), stalled in ${c.still_stalled}`
      : `${c.baseline} stalled in none of the pairs`,
  );
  lines.push(`new stalls: ${c.new_stalls} (${c.candidate} stalled where ${c.baseline} completed)`);
  lines.push(
    `both completed: ${c.both_completed}` +
      (c.both_completed > 0
        ? ` (median time to finish the workload: ${c.baseline} ${seconds(c.median_finish_ns.baseline)}, ${c.candidate} ${seconds(c.median_finish_ns.candidate)}; ` +
          `${c.candidate} minus ${c.baseline}, pair by pair: median ${signedSeconds(c.median_finish_delta_ns)})`
        : ''),
  );
  if (c.limit > 0) lines.push(`no verdict (LIMIT on either side): ${c.limit}`);
  if (c.live_patched > 0) {
    lines.push(`live patch: ${c.live_patched} pair(s) ran with live_patch.at, which gives rc8 the fix at that instant: there an rc8 run that COMPLETED may have stalled until the patch (its reason says how long), and its time to finish counts the stall`);
  }
  if (c.unpaired.baseline + c.unpaired.candidate > 0) {
    lines.push(`unpaired runs: ${c.baseline} ${c.unpaired.baseline}, ${c.candidate} ${c.unpaired.candidate} (no run of the other kernel with the same scenario, seed and model)`);
  }
  const list = (title: string, refs: PairRef[]): void => {
    if (refs.length === 0) return;
    lines.push('', `${title}:`);
    for (const p of refs.slice(0, limit)) {
      lines.push(`  seed ${p.seed}${p.cell ? ` [${p.cell}]` : ''}: ${c.baseline} ${p.baseline}, ${c.candidate} ${p.candidate}: ${replay(p.candidate_id)}`);
    }
    if (refs.length > limit) lines.push(`  ... ${refs.length - limit} more (--json lists them all)`);
  };
  list(`${c.candidate} stalled where ${c.baseline} completed`, c.new);
  list(`${c.candidate} stalled where ${c.baseline} stalled too`, c.still);
  return lines.join('\n');
}
