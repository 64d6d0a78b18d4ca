/**
 * The sweep driver: spec -> jobs -> (skip stored) -> worker pool -> store, one transaction per
 * record. Returns what it did; the CLI prints it.
 */
import type { ResultStore } from './store.js';
import { buildJobs, type SweepSpec } from './spec.js';
import { runTasks } from './pool.js';
import { ExploreError } from './errors.js';
import { modelVersion } from './version.js';
import type { Job, RunFailure, RunRecord, WorkerOutput } from './types.js';
import { failureText } from './execute.js';

export interface SweepProgress {
  done: number;
  total: number;
  findings: number;
}

export interface SweepOptions {
  store: ResultStore;
  workers: number;
  /** The spec's jobs, if already built (buildJobs(spec)). */
  jobs?: Job[];
  /** Skip (cell, seed) pairs already stored; without it, stored pairs are an error. */
  resume?: boolean;
  /** Stop after this many records were stored by this invocation (simulates an interruption). */
  stopAfter?: number;
  /** Abort to stop (Ctrl-C): finished records stay, queued runs are dropped. */
  stopSignal?: AbortSignal;
  onProgress?: (p: SweepProgress) => void;
  /** Called for each determinism mismatch as it happens (reported loudly by the CLI). */
  onMismatch?: (job: Job, out: WorkerOutput, id: number) => void;
  /** Called for each run the simulator could not finish, as it happens (no record; its failure goes to the store's failures table; the CLI reports it). */
  onFailure?: (job: Job, failure: RunFailure) => void;
}

/** A run of the sweep that the simulator could not finish: it has no record (only its failure is kept), so --resume runs it again. */
export interface SweepFailure {
  job: Job;
  failure: RunFailure;
}

export interface SweepOutcome {
  sweepId: number;
  modelVersion: string;
  jobs: Job[];
  /** Records of this sweep's jobs that are in the store at the end (run now or before). */
  records: RunRecord[];
  ranNow: number;
  skipped: number;
  stopped: boolean;
  mismatches: number;
  /** Runs that failed (broken invariant, simulator assertion, other exception), in completion order. */
  failures: SweepFailure[];
  /** Host time of the whole sweep and of the store writes, ns. */
  totalNs: number;
  storeNs: number;
}

/** A plain description of the spec, stored with the sweep. */
export function specDescription(spec: SweepSpec): Record<string, unknown> {
  return {
    scenario: spec.scenario.source,
    sets: spec.sets,
    seeds: `${spec.seeds.from}..${spec.seeds.to}`,
    grid: spec.grid.map((g) => `${g.path}=${g.values.join(',')}`),
    ranges: spec.ranges.map((r) => `${r.path}=${r.lo}..${r.hi}`),
    swarm: spec.swarm,
    check_determinism: spec.checkAll,
  };
}

export async function runSweep(spec: SweepSpec, opts: SweepOptions): Promise<SweepOutcome> {
  const t0 = process.hrtime.bigint();
  const mv = modelVersion();
  const jobs = opts.jobs ?? buildJobs(spec);
  const done = opts.store.doneKeys(mv);
  const todo = jobs.filter((j) => !done.has(`${j.scenario_hash}/${j.seed}`));
  const skipped = jobs.length - todo.length;
  if (skipped > 0 && !opts.resume) {
    throw new ExploreError(`--db: the store already holds ${skipped} of this sweep's ${jobs.length} runs; add --resume to skip them, or use another --db file`);
  }
  const sweepId = opts.store.addSweep(specDescription(spec), mv);
  let storeNs = 0;
  let stored = 0;
  let mismatches = 0;
  // A resumed sweep's progress counts the findings it already stored, as its run count does.
  const storedFindings = skipped > 0 ? opts.store.findingKeys(mv) : new Set<string>();
  let findings = skipped > 0 ? jobs.filter((j) => storedFindings.has(`${j.scenario_hash}/${j.seed}`)).length : 0;
  const failures: SweepFailure[] = [];
  const ids = new Map<number, number>();
  opts.onProgress?.({ done: skipped, total: jobs.length, findings });
  let stopped = false;
  if (opts.stopAfter !== undefined && opts.stopAfter <= 0) stopped = true;
  else if (todo.length > 0) {
    const summary = await runTasks(
      todo.map((j) => ({ params: j.params, twice: j.check })),
      {
        workers: opts.workers,
        ...(opts.stopSignal ? { stopSignal: opts.stopSignal } : {}),
        onResult: (i, out) => {
          const job = todo[i]!;
          if ('failure' in out) {
            // No verdict to store: keep the failure, report it and go on with the other runs.
            const s0 = process.hrtime.bigint();
            opts.store.insertFailure(sweepId, mv, job, out.failure);
            storeNs += Number(process.hrtime.bigint() - s0);
            failures.push({ job, failure: out.failure });
            opts.onFailure?.(job, out.failure);
            opts.onProgress?.({ done: skipped + stored + failures.length, total: jobs.length, findings });
            return false;
          }
          const s0 = process.hrtime.bigint();
          const id = opts.store.insert(sweepId, mv, job, out);
          storeNs += Number(process.hrtime.bigint() - s0);
          ids.set(job.index, id);
          stored++;
          if (out.result.verdict === 'LIVELOCK' || out.result.verdict === 'DEADLOCK') findings++;
          if (out.deterministic === false) {
            mismatches++;
            opts.onMismatch?.(job, out, id);
          }
          opts.onProgress?.({ done: skipped + stored + failures.length, total: jobs.length, findings });
          return opts.stopAfter !== undefined && stored >= opts.stopAfter;
        },
      },
    );
    stopped = summary.stopped && skipped + stored + failures.length < jobs.length;
  }
  // Every record of this sweep's jobs, in job order (including those stored by earlier invocations).
  const records: RunRecord[] = [];
  for (const j of jobs) {
    const id = ids.get(j.index) ?? opts.store.idOf(mv, j.scenario_hash, j.seed);
    if (id === undefined) continue;
    const r = opts.store.get(id);
    if (r) records.push(r);
  }
  return { sweepId, modelVersion: mv, jobs, records, ranNow: stored, skipped, stopped, mismatches, failures, totalNs: Number(process.hrtime.bigint() - t0), storeNs };
}

/** Shell-quotes an argument if needed. */
export function shellQuote(a: string): string {
  return /^[A-Za-z0-9_./=:@%+,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** The `reclaimsim run ...` command line that reproduces a record (observability options apply to it). */
export function runCommandLine(r: Pick<RunRecord, 'source' | 'sets' | 'seed' | 'sched_salt'>): string {
  const salt = r.sched_salt ? ['--sched-salt', String(r.sched_salt)] : [];
  return ['reclaimsim', 'run', shellQuote(r.source), ...r.sets.flatMap((s) => ['--set', shellQuote(s)]), '--seed', String(r.seed), ...salt].join(' ');
}

/** The command that reruns a failed run with every invariant checked after every event. */
export function rerunCommandLine(r: Pick<RunRecord, 'source' | 'sets' | 'seed' | 'sched_salt'>): string {
  return `${runCommandLine(r)} --check full`;
}

/** A run the simulator could not finish, in one line: which run, what broke, and the command that reruns it. */
export function failureLine(r: Pick<RunRecord, 'source' | 'sets' | 'seed' | 'sched_salt' | 'cell_label'>, f: RunFailure): string {
  return `seed ${r.seed}${r.cell_label ? ` [${r.cell_label}]` : ''}: ${failureText(f)}; rerun it with: ${rerunCommandLine(r)}`;
}

/** The fields of a run's record that say which run a job is (for failureLine and runCommandLine). */
export function jobRun(job: Job): Pick<RunRecord, 'source' | 'sets' | 'seed' | 'sched_salt' | 'cell_label'> {
  return { source: job.source, sets: job.sets, seed: job.seed, sched_salt: job.params.sched_salt ?? null, cell_label: job.cell_label };
}

/** The `reclaimsim replay <id>` command line. */
export function replayCommandLine(id: number, db: string, defaultDb: string): string {
  return `reclaimsim replay ${id}${db === defaultDb ? '' : ` --db ${shellQuote(db)}`}`;
}

/** The `reclaimsim results` command line that compares two kernels run by run. */
export function compareCommandLine(baseline: string, candidate: string, db: string, defaultDb: string): string {
  return `reclaimsim results${db === defaultDb ? '' : ` --db ${shellQuote(db)}`} --baseline ${baseline} --candidate ${candidate}`;
}

/** The `reclaimsim results` command line that lists the stored runs with `verdict`. */
export function resultsListCommandLine(verdict: string, db: string, defaultDb: string): string {
  return `reclaimsim results${db === defaultDb ? '' : ` --db ${shellQuote(db)}`} --verdict ${verdict} --list`;
}
