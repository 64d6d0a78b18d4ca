/**
 * `reclaimsim sweep [scenario]`: a scenario over a seed range and a grid (or a swarm) of parameters,
 * on worker threads, into the results store; prints per cell the verdict counts, the livelock rate
 * with its 95% Wilson interval and the median time to livelock, and a replay line per finding.
 * See docs/exploring.md.
 */
import { Option, type Command } from 'commander';
import { buildJobs, DEFAULT_DB, DEFAULT_SWARM, defaultWorkers, ExploreError, formatSummary, parseGrid, parseRange, parseSeeds, replayCommandLine, resultsListCommandLine, ResultStore, runCommandLine, runSweep, summarize, type SweepSpec } from '../../explore/index.js';
import { verdictLabel } from '../../scenario/result.js';
import { makeProgress } from '../../explore/progress.js';
import { compareCommandLine, failureLine, jobRun, rerunCommandLine } from '../../explore/sweep.js';
import { sideLabel } from '../../explore/compare.js';
import { addSetOption, collect, readScenarioSource } from '../scenario-source.js';
import { parseIntFlag } from '../args.js';
import { EXIT_ASSERTION, EXIT_LIVENESS, EXIT_SAFETY, EXIT_UNEXPECTED, ExitRequest, UsageError } from '../exit.js';
import { ensureParentDir, err, out } from '../io.js';


/** Exit code of a sweep stopped before its end (Ctrl-C or --stop-after): 128 + SIGINT. */
export const EXIT_INTERRUPTED = 130;
/** Findings listed with replay lines; the rest are counted. */
const MAX_FINDINGS_SHOWN = 20;

interface SweepOpts {
  set: string[];
  seeds: string;
  grid: string[];
  range: string[];
  swarm?: boolean;
  workers?: number;
  db: string;
  json?: boolean;
  resume?: boolean;
  checkDeterminism?: boolean;
  stopAfter?: number;
}

/** Converts explore's one-line errors to usage errors (exit 1). */
/** The workers the pool used: no more than the runs it was given (src/explore/pool.ts runTasks). */
function workersLabel(workers: number, runs: number): string {
  const used = Math.max(1, Math.min(workers, runs));
  return `${used} worker${used === 1 ? '' : 's'}`;
}

export function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw asUsage(e);
  }
}

async function usageAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw asUsage(e);
  }
}

/**
 * Explore errors, and errors of the SQLite store met after it was opened (another process holding
 * it locked, a damaged or read-only file, a full disk), as one-line usage errors naming --db.
 */
function asUsage(e: unknown): unknown {
  if (e instanceof ExploreError) return new UsageError(e.message);
  if (e instanceof Error && e.name === 'SqliteError') {
    const code = (e as Error & { code?: string }).code ?? '';
    const hint = /BUSY|LOCKED/.test(code)
      ? 'another process holds it; every run stored so far is kept: rerun with --resume when it is free'
      : /CORRUPT|NOTADB/.test(code)
        ? 'the file is damaged: use another --db file'
        : /READONLY|PERM|CANTOPEN/.test(code)
          ? 'it cannot be written here: use a --db file in a directory you can write to'
          : 'every run stored so far is kept';
    return new UsageError(`--db: the results store failed: ${e.message.split('\n')[0]}${code ? ` (${code})` : ''}; ${hint}`);
  }
  return e;
}

export function register(program: Command): void {
  addSetOption(
    program
      .command('sweep')
      .description('run a scenario over seeds and a parameter grid or swarm on worker threads, store every run, print rates')
      .argument('[scenario]', 'scenario file (path) or bundled scenario name', 'flagship')
      .option('--seeds <A..B>', 'seed range, inclusive (or one seed)', '1..10')
      .option('--grid <path=v1,v2,...>', 'sweep a scenario field over values, e.g. machine.ram=256MiB,512MiB (repeatable: cartesian product; swarm: choices)', collect, [])
      .option('--range <path=lo..hi>', 'with --swarm: draw a number, size, duration or rate field from a range, e.g. machine.cpus=1..4 (repeatable)', collect, [])
      .option('--swarm', 'each seed draws its own parameters (and a scheduler salt) from the --grid/--range dimensions, or default ones')
      .option('--workers <n>', 'worker threads (default: available cores)', parseIntFlag('--workers', 1, 256))
      .option('--db <file>', 'results store (SQLite), created on first use', DEFAULT_DB)
      .option('--json', 'print the summary, findings and counts as JSON')
      .option('--resume', 'skip (cell, seed) runs already in the store (continue an interrupted sweep)')
      .option('--check-determinism', 'run every run twice and compare trace hashes (default: every 20th)')
      .addOption(new Option('--stop-after <n>', 'stop after n stored runs, as if interrupted (tests)').argParser(parseIntFlag('--stop-after', 0, Number.MAX_SAFE_INTEGER)).hideHelp()),
  ).action(async (arg: string, o: SweepOpts) => {
    const spec = usage((): SweepSpec => {
      const src = readScenarioSource(arg);
      const scenario = { source: arg, label: src.label, text: src.text, ...(src.name !== undefined ? { name: src.name } : {}) };
      const seeds = parseSeeds(o.seeds);
      if (o.range.length > 0 && !o.swarm) throw new ExploreError(`--range ${o.range[0]}: ranges are drawn by --swarm; add --swarm, or list values with --grid`);
      let grid = o.grid;
      let ranges = o.range;
      if (o.swarm && grid.length === 0 && ranges.length === 0) [grid, ranges] = [DEFAULT_SWARM.grid, DEFAULT_SWARM.ranges];
      const gridPaths = new Set<string>();
      const dims = grid.map((g) => parseGrid(g, scenario, o.set));
      const rdims = ranges.map((r) => parseRange(r, scenario, o.set));
      for (const p of [...dims, ...rdims].map((d) => d.path)) {
        if (gridPaths.has(p)) throw new ExploreError(`--grid ${p}: the field is swept twice; give it one --grid or --range`);
        gridPaths.add(p);
      }
      const spec: SweepSpec = { scenario, sets: o.set, seeds, grid: dims, ranges: rdims, swarm: o.swarm === true, checkAll: o.checkDeterminism === true };
      return spec;
    });
    // Every cell and swarm draw is resolved before the store is touched: a bad spec writes nothing.
    const jobs = usage(() => buildJobs(spec));
    const workers = o.workers ?? defaultWorkers();
    // A new store may go in a new directory, as --out and the run outputs may.
    if (o.db.trim() === '') throw new UsageError('--db: an empty file name would keep the store in memory and lose it; give a file, such as --db runs.db');
    const store = usage(() => {
      ensureParentDir(o.db, '--db');
      return ResultStore.open(o.db);
    });
    const ctrl = new AbortController();
    let sigints = 0;
    const onSigint = (): void => {
      sigints++;
      if (sigints === 1) {
        err('reclaimsim sweep: interrupted; finishing the store write (Ctrl-C again to quit at once)');
        ctrl.abort();
      } else process.exit(EXIT_INTERRUPTED);
    };
    process.on('SIGINT', onSigint);
    const progress = makeProgress(process.stderr, 'sweep');
    let outcome;
    try {
      outcome = await usageAsync(() =>
        runSweep(spec, {
          store,
          jobs,
          workers,
          resume: o.resume === true,
          ...(o.stopAfter !== undefined ? { stopAfter: o.stopAfter } : {}),
          stopSignal: ctrl.signal,
          onProgress: (p) => progress.update(p),
          onFailure: (job, f) => {
            progress.stop();
            err(`reclaimsim: SIMULATOR BUG: run of ${failureLine(jobRun(job), f)}`);
          },
          onMismatch: (job, w, id) => {
            progress.stop();
            err(`reclaimsim: SIMULATOR BUG: run #${id} (seed ${job.seed}${job.cell_label ? `, ${job.cell_label}` : ''}) is not deterministic: trace hash ${w.result.trace_hash} then ${w.second_trace_hash}; rerun it with: ${runCommandLine(jobRun(job))}`);
          },
        }),
      );
    } finally {
      progress.stop();
      process.off('SIGINT', onSigint);
    }
    store.close();
    const groups = summarize(outcome.records);
    const findings = outcome.records.filter((r) => r.verdict === 'LIVELOCK' || r.verdict === 'DEADLOCK');
    const checked = outcome.records.filter((r) => r.determinism !== 'once').length;
    if (o.json) {
      out(
        JSON.stringify(
          {
            db: o.db,
            model_version: outcome.modelVersion,
            sweep_id: outcome.sweepId,
            planned: outcome.jobs.length,
            stored: outcome.records.length,
            ran_now: outcome.ranNow,
            skipped: outcome.skipped,
            interrupted: outcome.stopped,
            determinism: { checked, mismatches: outcome.mismatches },
            failures: outcome.failures.map(({ job, failure }) => ({ ...failure, seed: job.seed, cell: job.cell_label, run: rerunCommandLine(jobRun(job)) })),
            cells: groups,
            findings: findings.map((r) => ({ id: r.id, verdict: r.verdict, stall: r.stall, seed: r.seed, cell: r.cell_label, replay: replayCommandLine(r.id, o.db, DEFAULT_DB), run: runCommandLine(r) })),
          },
          null,
          2,
        ),
      );
    } else {
      out(`reclaimsim sweep: ${arg}${o.set.map((s) => ` --set ${s}`).join('')}, seeds ${spec.seeds.from}..${spec.seeds.to}, ${spec.swarm ? 'swarm' : `${outcome.jobs.length / (spec.seeds.to - spec.seeds.from + 1)} cell(s)`}, ${workersLabel(workers, outcome.jobs.length - outcome.skipped)}, store ${o.db} (model ${outcome.modelVersion})`);
      out(`runs: ${outcome.records.length} of ${outcome.jobs.length} stored (${outcome.ranNow} run now, ${outcome.skipped} already stored)${outcome.stopped ? ', INTERRUPTED' : ''}`);
      out('');
      out(formatSummary(groups));
      out('');
      if (findings.length === 0) out('findings: none (no LIVELOCK or DEADLOCK)');
      else {
        out(`findings: ${findings.length}`);
        for (const r of findings.slice(0, MAX_FINDINGS_SHOWN)) {
          out(`  #${r.id} ${verdictLabel(r.verdict, r.stall)} seed ${r.seed}${r.cell_label ? ` [${r.cell_label}]` : ''}: ${replayCommandLine(r.id, o.db, DEFAULT_DB)}`);
          out(`      ${runCommandLine(r)}`);
        }
        if (findings.length > MAX_FINDINGS_SHOWN) {
          // One listing command per verdict found (results filters by one verdict at a time).
          const lists = [...new Set(findings.map((r) => r.verdict))].map((v) => resultsListCommandLine(v, o.db, DEFAULT_DB));
          out(`  ... ${findings.length - MAX_FINDINGS_SHOWN} more: ${lists.join('; ')}`);
        }
      }
      // Runs a limit stopped found nothing either way, and count in no livelock rate's favour: say so.
      const limited = outcome.records.filter((r) => r.verdict === 'LIMIT').length;
      if (limited > 0) out(`limits: ${limited} run(s) stopped at checks.time_limit or checks.event_limit before the watchdog could judge them (the "limit" column): a stall is judged only after checks.watchdog_window without progress; raise checks.time_limit to judge them`);
      // A grid over kernels pairs its runs: say how to compare them run by run.
      const kernels = [...new Set(groups.map(sideLabel))];
      if (!spec.swarm && kernels.length >= 2) out(`run by run: ${compareCommandLine(kernels[0]!, kernels[1]!, o.db, DEFAULT_DB)}`);
      out(`determinism: ${checked} run(s) checked twice, ${outcome.mismatches} mismatch(es)`);
      if (outcome.failures.length > 0) {
        out(`SIMULATOR ERRORS: ${outcome.failures.length} run(s) stopped by the simulator, with no record (the store keeps their failures for \`results --failures\`; --resume reruns them once fixed):`);
        for (const { job, failure } of outcome.failures.slice(0, MAX_FINDINGS_SHOWN)) out(`  run of ${failureLine(jobRun(job), failure)}`);
        if (outcome.failures.length > MAX_FINDINGS_SHOWN) out(`  ... ${outcome.failures.length - MAX_FINDINGS_SHOWN} more (--json lists them all)`);
      }
      if (outcome.stopped) out(`interrupted: resume with the same command and --resume`);
    }
    // The gravest first: a broken invariant, then a simulator assertion or an irreproducible run, then a crash.
    const kinds = new Set(outcome.failures.map((f) => f.failure.kind));
    if (kinds.has('invariant')) throw new ExitRequest(EXIT_SAFETY);
    if (kinds.has('assertion') || outcome.mismatches > 0) throw new ExitRequest(EXIT_ASSERTION);
    if (kinds.has('unexpected')) throw new ExitRequest(EXIT_UNEXPECTED);
    if (outcome.stopped) throw new ExitRequest(EXIT_INTERRUPTED);
    if (findings.length > 0) throw new ExitRequest(EXIT_LIVENESS);
  });
}
