/**
 * Shrink: greedy, delta-debugging-style search for a smaller scenario that still gives the same
 * verdict, and, when asked, the same stall kind (result.ts StallKind: a LIVELOCK of the patch's
 * kind must not shrink into a machine that merely runs out of memory). Dimensions are tried in
 * order (copies, rounds, RAM, CPUs, tree size, then the perturbations: seek jitter, start stagger,
 * scheduler salt); each numeric dimension first jumps to its minimum,
 * then bisects between the smallest value known to fail and the current (reproducing) value.
 * Passes repeat until one changes nothing or the run budget is spent. Every candidate is built by
 * the scenario layer (`--set` on the current scenario), so candidates it refuses (e.g. a tree
 * smaller than its largest file) are skipped without a run. Values only ever go down, so the
 * result is no larger than the input on every dimension. With a partner kernel, a candidate must
 * also give the partner's verdict (the fix completing on the same scenario and seed).
 */
import { resolveScenario, scenarioToYaml, type ResolvedScenario } from '../scenario/load.js';
import { ScenarioError } from '../scenario/errors.js';
import { paramsFromScenario } from '../scenario/params.js';
import { verdictLabel, type StallKind, type Verdict } from '../scenario/result.js';
import { inputForm, valueAt } from './spec.js';
import type { ExploreParams } from './types.js';
import { describeFailure, failureError } from './execute.js';

const MiB = 1 << 20;

export interface ShrinkDim {
  /** Scenario field path, or "sched_salt". */
  path: string;
  min: number;
  /** Values are multiples of this (sizes: 4 KiB pages). */
  step: number;
  /** Bisection stops when the gap is at most max(step, value / this). */
  precision: number;
}

export const SHRINK_DIMS: readonly ShrinkDim[] = [
  { path: 'workload.copies', min: 1, step: 1, precision: Infinity },
  { path: 'workload.rounds', min: 1, step: 1, precision: Infinity },
  { path: 'machine.ram', min: 64 * MiB, step: 4096, precision: 32 },
  { path: 'machine.cpus', min: 1, step: 1, precision: Infinity },
  { path: 'workload.tree_size', min: 4096, step: 4096, precision: 32 },
  { path: 'device.service.seek_jitter', min: 0, step: 1000, precision: 16 },
  { path: 'workload.start_stagger', min: 0, step: 1000, precision: 16 },
  { path: 'sched_salt', min: 0, step: 1, precision: 0 },
];

export interface ShrinkState {
  scenario: ResolvedScenario;
  /** Scheduler salt (0: none). */
  salt: number;
}

export interface ShrinkStep {
  path: string;
  from: string;
  to: string;
}

export interface ShrinkOutcome {
  state: ShrinkState;
  verdict: Verdict;
  /** The stall kind every accepted candidate showed too (undefined: any). */
  stall?: StallKind;
  runs: number;
  steps: ShrinkStep[];
  /** True if the budget ran out before a pass changed nothing. */
  budgetExhausted: boolean;
}

export type ShrinkRun = (p: ExploreParams) => { verdict: Verdict; stall?: StallKind | null };

/**
 * A second kernel whose verdict every accepted candidate must keep too, on the same scenario and
 * seed (typically the fix completing where the run's kernel stalls): the shrunk file then shows
 * the bug and its fix.
 */
export interface ShrinkPartner {
  /** The state with the partner's kernel; undefined if the scenario layer refuses it. */
  kernel: (s: ShrinkState) => ShrinkState | undefined;
  verdict: Verdict;
  /** The partner's stall kind at the start (null: none), kept like the verdict. */
  stall: StallKind | null;
}

export function paramsOfState(s: ShrinkState): ExploreParams {
  const p: ExploreParams = paramsFromScenario(s.scenario);
  if (s.salt !== 0) p.sched_salt = s.salt;
  return p;
}

function valueOf(s: ShrinkState, path: string): number {
  return path === 'sched_salt' ? s.salt : (valueAt(s.scenario, path) as number);
}

function show(path: string, v: number): string {
  return path === 'sched_salt' ? (v === 0 ? 'none' : String(v)) : inputForm(path, v);
}

/** The state with `path` set to `v`, through the scenario layer; undefined if the layer refuses it. */
function withValue(s: ShrinkState, path: string, v: number): ShrinkState | undefined {
  if (path === 'sched_salt') return { scenario: s.scenario, salt: v };
  try {
    const scenario = resolveScenario({ text: scenarioToYaml(s.scenario), name: s.scenario.name, sets: [`${path}=${inputForm(path, v)}`] });
    return { scenario, salt: s.salt };
  } catch (e) {
    if (e instanceof ScenarioError) return undefined;
    throw e;
  }
}

/** The candidate as the --set values that differ from the start (with the start's seed). */
function candidateText(start: ShrinkState, s: ShrinkState): string {
  const sets = SHRINK_DIMS.filter((d) => valueOf(s, d.path) !== valueOf(start, d.path)).map((d) => (d.path === 'sched_salt' ? `--sched-salt ${s.salt}` : `--set ${d.path}=${show(d.path, valueOf(s, d.path))}`));
  return `${sets.join(' ') || '(the start)'} --seed ${s.scenario.seed}`;
}

/**
 * Shrinks `start` while candidates give `target` (and, if `stall` is set, that stall kind), within
 * `budget` runs.
 */
export function shrinkScenario(
  start: ShrinkState,
  opts: { target: Verdict; stall?: StallKind; partner?: ShrinkPartner; budget: number; run: ShrinkRun; onStep?: (s: ShrinkStep, runs: number) => void },
): ShrinkOutcome {
  let cur = start;
  let runs = 0;
  const steps: ShrinkStep[] = [];
  const runCandidate = (s: ShrinkState, what: string): ReturnType<ShrinkRun> => {
    runs++;
    try {
      return opts.run(paramsOfState(s));
    } catch (e) {
      // A candidate that breaks the simulator is a finding of its own: say which one it was.
      throw failureError(describeFailure(e), `in the shrink candidate ${candidateText(start, s)}${what}`);
    }
  };
  const reproduces = (s: ShrinkState): boolean => {
    const r = runCandidate(s, '');
    if (r.verdict !== opts.target || (opts.stall !== undefined && r.stall !== opts.stall)) return false;
    // The partner runs only for a candidate that already reproduces: a refused one costs one run.
    const p = opts.partner;
    if (p === undefined) return true;
    const ps = p.kernel(s);
    if (ps === undefined) return false;
    const pr = runCandidate(ps, ` on ${ps.scenario.profile}${ps.scenario.variants.length ? `+${ps.scenario.variants.join(',')}` : ''}`);
    return pr.verdict === p.verdict && (pr.stall ?? null) === p.stall;
  };
  // A candidate costs two runs when it reproduces and there is a partner: only start one that fits,
  // so the budget is a bound, never exceeded.
  const perCandidate = opts.partner === undefined ? 1 : 2;
  const room = (): boolean => runs + perCandidate <= opts.budget;
  // A dimension whose minimum already failed keeps its lower bound across passes.
  const failedBelow = new Map<string, number>();
  let changed = true;
  while (changed && room()) {
    changed = false;
    for (const d of SHRINK_DIMS) {
      if (!room()) break;
      const v0 = valueOf(cur, d.path);
      if (v0 <= d.min) continue;
      const from = show(d.path, v0);
      // Try the minimum first.
      const atMin = withValue(cur, d.path, d.min);
      if (atMin && reproduces(atMin)) {
        cur = atMin;
      } else {
        if (d.precision === 0) continue; // all-or-nothing dimension (the salt)
        let lo = Math.max(d.min, failedBelow.get(d.path) ?? d.min);
        let hi = v0;
        while (room() && hi - lo > Math.max(d.step, Math.floor(hi / d.precision))) {
          let mid = Math.floor((lo + hi) / 2 / d.step) * d.step;
          if (mid <= lo) mid = lo + d.step;
          if (mid >= hi) break;
          const cand = withValue(cur, d.path, mid);
          if (cand && reproduces(cand)) {
            cur = cand;
            hi = mid;
          } else lo = mid;
        }
        failedBelow.set(d.path, lo);
      }
      const v1 = valueOf(cur, d.path);
      if (v1 < v0) {
        changed = true;
        const step = { path: d.path, from, to: show(d.path, v1) };
        steps.push(step);
        opts.onStep?.(step, runs);
      }
    }
  }
  return { state: cur, verdict: opts.target, ...(opts.stall !== undefined ? { stall: opts.stall } : {}), runs, steps, budgetExhausted: changed && !room() };
}

/**
 * The shrunk scenario as a YAML file with its seed, ready to attach to a bug report. `description`
 * replaces the input's, which describes the machine before shrinking.
 */
export function shrinkYaml(o: ShrinkOutcome, header: string[], description?: string): string {
  const lines = [
    ...header,
    `verdict: ${verdictLabel(o.verdict, o.stall)}, seed ${o.state.scenario.seed}${o.state.salt !== 0 ? `, sched_salt ${o.state.salt}` : ''}, found in ${o.runs} shrink runs`,
    ...o.steps.map((s) => `  ${s.path}: ${s.from} -> ${s.to}`),
  ];
  return scenarioToYaml({ ...o.state.scenario, name: shrunkName(o.state.scenario.name), sched_salt: o.state.salt, ...(description !== undefined ? { description } : {}) }, lines.map((l) => `# ${l}`).join('\n'));
}

/**
 * The shrunk file's scenario name: the input's with `-shrunk`, so that its runs and reports do
 * not pass for the input's ("flagship" is the bundled scenario, not this smaller machine). Within
 * the name field's 64 characters, and not suffixed twice.
 */
export function shrunkName(name: string): string {
  if (name.endsWith('-shrunk')) return name;
  return `${name.slice(0, 64 - '-shrunk'.length)}-shrunk`;
}
