/**
 * `reclaimsim run` (one run) and `reclaimsim reproduce` (the flagship over profiles, variants and
 * seeds: the main job behind `npm start`), with the run's outputs (docs/outputs.md): --report
 * (HTML), --dmesg, --trace (ftrace text), --perfetto (Chrome JSON), --metrics (CSV/JSON) and
 * --proc-dir (/proc snapshots). Every output is checked before the run and written atomically after it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { paramsFromScenario, type Profile, type RunParams, type Variant } from '../../scenario/params.js';
import { addForceOption, addSetOption, checkHostMemory, loadScenarioArg } from '../scenario-source.js';
import { startRun } from '../../scenario/run.js';
import { formatTimeline } from '../../scenario/timeline.js';
import { squeezeSection } from '../../scenario/squeezes.js';
import { armSigint, disarmSigint, driveRun } from '../drive.js';
import { defaultWorkers, runMany } from '../../explore/pool.js';
import { shellQuote } from '../../explore/sweep.js';
import { InvariantViolation, type CheckLevel } from '../../check/invariants.js';
import { formatDuration, parseDuration } from '../../scenario/units.js';
import { formatSeconds } from '../../sim/time.js';
import type { Machine } from '../../scenario/machine.js';
import { STALL_TEXT, type RunResult } from '../../scenario/result.js';
import { MetricsSampler } from '../../check/metrics.js';
import { TRACEPOINTS, tracepointMatches } from '../../kernel/trace.js';
import { reportRun, runChromeTrace, runDmesg, runFtrace, runTitle, seedText } from '../../report/collect.js';
import { renderHtml, type HtmlAssets, type ReportRun } from '../../report/html.js';
import { metricsCsv, metricsJson } from '../../report/metrics.js';
import { formatReproduceTable, reproduceNotes, reproduceRow } from '../reproduce-table.js';
import { PROC_FILES, procSnapshot, snapshotDirNames, type ProcFile } from '../../report/proc.js';
import { parseIntFlag } from '../args.js';
import { EXIT_LIVENESS, ExitRequest, UsageError } from '../exit.js';
import { ensureParentDir, err, out, writeFileAtomic } from '../io.js';
import { PROFILES as SCHEMA_PROFILES, SLAB_NOMERGE_CONFLICT, VARIANTS as SCHEMA_VARIANTS } from '../../scenario/schema.js';

// The scenario schema's lists, so that a new profile or variant needs adding in one place.
const PROFILES: readonly Profile[] = SCHEMA_PROFILES;
const VARIANTS: readonly Variant[] = SCHEMA_VARIANTS;

function parseProfile(v: string): Profile {
  if (!(PROFILES as string[]).includes(v)) throw new UsageError(`--kernel: expected one of ${PROFILES.join(', ')}, got "${v}"`);
  return v as Profile;
}

function parseVariants(v: string, prev: Variant[] = []): Variant[] {
  const list = v.split(',').filter((s) => s.length > 0);
  for (const x of list) if (!(VARIANTS as string[]).includes(x)) throw new UsageError(`--variant: expected one of ${VARIANTS.join(', ')}, got "${x}"`);
  // In the schema's order, as a scenario file's list resolves: one kernel has one label.
  const all = new Set<string>([...prev, ...list]);
  // The scenario layer's rule, which a flag would otherwise bypass (scenario/schema.ts scenarioProblems).
  if (all.has('slab') && all.has('slub_nomerge')) throw new UsageError(`--variant: ${SLAB_NOMERGE_CONFLICT}`);
  return (VARIANTS as readonly Variant[]).filter((x) => all.has(x));
}

/** Bytes as whole MiB (sizes above 2 GiB overflow a 32-bit shift, so no `>> 20`). */
function mib(b: number): number {
  return Math.floor(b / 2 ** 20);
}

/**
 * How the run models CPU time (machine.cpu_sharing, machine.reclaim_cost.charge), and the I/O
 * scheduler when it is not noop: verdicts depend on them.
 */
function cpuTimeText(p: RunParams): string {
  return `CPU time ${p.cpu_sharing}, reclaim charged per ${p.reclaim_charge}${p.elevator ? `, elevator ${p.elevator}` : ''}${p.completion_end_bios ? ', bios ended one by one' : ''}${p.failure_report_ns ? `, failure reports cost ${formatDuration(p.failure_report_ns)}` : ''}${p.vmstat_per_cpu ? ', per-CPU vmstat deltas' : ''}`;
}


/** "1 CPU", "2 CPUs": a count with its noun. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** ", 3 rounds (rm -rf between)" when each copy task copies more than one tree (workload.rounds). */
function roundsText(p: { rounds?: number }): string {
  return (p.rounds ?? 1) > 1 ? `, ${p.rounds} rounds (rm -rf between)` : '';
}

/** ", live patch at 10s" when the run applies the fix to the running kernel (live_patch.at). */
function livePatchText(p: RunParams): string {
  return p.live_patch_ns !== undefined ? `, live patch at ${formatDuration(p.live_patch_ns)}` : '';
}

function describe(p: RunParams): string {
  return `scenario ${p.name}: ${p.copies === 1 ? '1 copy' : `${p.copies} copies`} of ${mib(p.tree_bytes)} MiB into tmpfs${roundsText(p)}, RAM ${mib(p.ram_bytes)} MiB, ${count(p.cpus, 'CPU')}, HZ ${p.hz}, swap ${mib(p.swap_bytes)} MiB, ${cpuTimeText(p)}${livePatchText(p)}, metrics every ${p.metrics_interval_ns / 1e6} ms`;
}

function parseCheckLevel(v: string): CheckLevel {
  if (v !== 'off' && v !== 'cheap' && v !== 'full') throw new UsageError(`--check: expected off, cheap or full, got "${v}"`);
  return v;
}

function parseBudget(v: string): number {
  const r = parseDuration(v);
  if (!r.ok || r.value <= 0) throw new UsageError(`--budget: expected a duration such as 30s or 500ms, got "${v}"`);
  return r.value;
}

function ns(s: number | null): string {
  return s === null ? '-' : `${(s / 1e9).toFixed(1)}s`;
}

/** Tracepoints recorded for --trace/--perfetto when neither --events nor the scenario names any. */
export const DEFAULT_TRACE_EVENTS = ['block:*', 'scsi:*', 'vmscan:*', 'writeback:*', 'sched:*', 'kmem:mm_page_alloc_fail'];

function parseEvents(v: string, prev: string[] = []): string[] {
  const list = v.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
  if (list.length === 0) throw new UsageError(`--events: expected a comma-separated list of tracepoint filters such as kmem:*,block:block_rq_issue, got "${v}"`);
  for (const f of list) {
    if (!/^[A-Za-z0-9_*]+(:[A-Za-z0-9_*]+)?$/.test(f) || !TRACEPOINTS.some((tp) => tracepointMatches(f, tp))) {
      const systems = [...new Set(TRACEPOINTS.map((t) => t.system))].join(', ');
      throw new UsageError(`--events: "${f}" matches no tracepoint (systems: ${systems}; e.g. kmem:*, block:block_rq_issue)`);
    }
  }
  return [...new Set([...prev, ...list])];
}

function parseOutFile(flag: string, exts?: string[]): (v: string) => string {
  return (v: string) => {
    if (v.trim() === '') throw new UsageError(`${flag}: expected a file name, got an empty string`);
    if (exts !== undefined && !exts.includes(extname(v).toLowerCase())) throw new UsageError(`${flag}: expected a file ending in ${exts.join(' or ')}, got "${v}"`);
    return v;
  };
}

function parseOutDir(flag: string): (v: string) => string {
  return (v: string) => {
    if (v.trim() === '') throw new UsageError(`${flag}: expected a directory name, got an empty string`);
    return v;
  };
}

/** Refuses, before anything runs, an output path that cannot become a file (a directory, or under a file). */
function checkOutFile(flag: string, path: string | undefined): void {
  if (path === undefined) return;
  if (/[/\\]$/.test(path)) throw new UsageError(`${flag}: "${path}" names a directory; give a file name, such as ${path}out`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`${flag}: "${path}" is a directory`);
  let d = dirname(path);
  for (;;) {
    if (existsSync(d)) {
      if (!statSync(d).isDirectory()) throw new UsageError(`${flag}: "${d}" is not a directory`);
      break;
    }
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  // Make its directory now: a path that cannot be written fails before the run, not after it.
  ensureParentDir(path, flag);
}

function checkOutDir(flag: string, path: string | undefined): void {
  if (path === undefined) return;
  if (existsSync(path) && !statSync(path).isDirectory()) throw new UsageError(`${flag}: "${path}" exists and is not a directory`);
  checkOutFile(flag, join(path, 'x'));
}

/** uPlot's browser build and stylesheet, read from node_modules for the HTML report. */
export function uplotAssets(): HtmlAssets {
  const req = createRequire(import.meta.url);
  const dir = dirname(req.resolve('uplot/package.json'));
  return { uplotJs: readFileSync(join(dir, 'dist', 'uPlot.iife.min.js'), 'utf8'), uplotCss: readFileSync(join(dir, 'dist', 'uPlot.min.css'), 'utf8') };
}

interface OutputOptions {
  report?: string;
  dmesg?: string;
  trace?: string;
  perfetto?: string;
  metrics?: string;
  procDir?: string;
  events?: string[];
  traceBufferKb?: number;
}

/** Runs `p` with the samplers the requested outputs need, in slices (Ctrl-C and --budget stop it). */
export async function runObserved(
  p: RunParams,
  opts: { sample: boolean; snapshotsNs?: readonly number[]; check?: CheckLevel; budgetNs?: number },
): Promise<{
  result: RunResult;
  machine: Machine;
  sampler: MetricsSampler | null;
  /** /proc snapshots by simulated instant (ns); named with snapshotDirNames when written. */
  snapshots: Map<number, Record<ProcFile, string>>;
}> {
  let sampler: MetricsSampler | null = null;
  const snapshots = new Map<number, Record<ProcFile, string>>();
  const snaps = opts.snapshotsNs ?? [];
  const handle = startRun(p, {
    ...(opts.check !== undefined ? { check: opts.check } : {}),
    onBoot: (m) => {
      if (!opts.sample && snaps.length === 0) return;
      sampler = new MetricsSampler(m, {
        intervalNs: opts.sample ? p.metrics_interval_ns : 0,
        snapshotsNs: snaps,
        onSnapshot: (t) => snapshots.set(t, procSnapshot(m)),
      });
    },
  });
  await driveRun(handle, opts.budgetNs);
  const { result, machine } = handle.finish();
  const s = sampler as MetricsSampler | null;
  if (s !== null && opts.sample) s.sampleNow();
  return { result, machine, sampler: s, snapshots };
}

/** The `reclaimsim run` command line that replays a run with these flags. */
function replayLine(arg: string, o: { set: string[]; kernel?: Profile; variant?: Variant[]; seed?: number; schedSalt?: number }): string {
  // Quoted for a POSIX shell, so the line can be pasted as it is (a --set value may hold spaces).
  const parts = ['reclaimsim', 'run', shellQuote(arg), ...o.set.flatMap((x) => ['--set', shellQuote(x)])];
  if (o.kernel !== undefined) parts.push('--kernel', o.kernel);
  if (o.variant !== undefined && o.variant.length > 0) parts.push('--variant', o.variant.join(','));
  if (o.seed !== undefined) parts.push('--seed', String(o.seed));
  if (o.schedSalt !== undefined) parts.push('--sched-salt', String(o.schedSalt));
  return parts.join(' ');
}

/** The body of `reclaimsim run`: load, run in slices, print, write outputs. */
async function runCommand(arg: string, o: { set: string[]; kernel?: Profile; variant?: Variant[]; seed?: number; schedSalt?: number; json?: boolean; check?: CheckLevel; budget?: number; force?: boolean } & OutputOptions): Promise<void> {
    const scenario = loadScenarioArg(arg, o.set);
    checkHostMemory(scenario, o.force === true);
    const base = paramsFromScenario(scenario);
    checkOutFile('--report', o.report);
    checkOutFile('--dmesg', o.dmesg);
    checkOutFile('--trace', o.trace);
    checkOutFile('--perfetto', o.perfetto);
    checkOutFile('--metrics', o.metrics);
    checkOutDir('--proc-dir', o.procDir);
    // Two outputs on one file: the second would silently replace the first.
    const outs: [string, string][] = [];
    for (const [flag, path] of [['--report', o.report], ['--dmesg', o.dmesg], ['--trace', o.trace], ['--perfetto', o.perfetto], ['--metrics', o.metrics]] as const) {
      if (path !== undefined) outs.push([flag, path]);
    }
    outs.forEach(([flag, path], i) => {
      const twin = outs.slice(0, i).find(([, other]) => resolve(other) === resolve(path));
      if (twin !== undefined) throw new UsageError(`${twin[0]} and ${flag}: the same file ${path}; give each output its own file`);
    });
    const wantsTrace = o.trace !== undefined || o.perfetto !== undefined;
    const events = o.events ?? (base.trace_events.length > 0 || !wantsTrace ? base.trace_events : DEFAULT_TRACE_EVENTS);
    // --sched-salt replaces the scenario's sched_salt; 0 turns the perturbation off.
    const { sched_salt: fileSalt, ...rest } = base;
    const salt = o.schedSalt ?? fileSalt ?? 0;
    const p: RunParams = {
      ...rest,
      profile: o.kernel ?? base.profile,
      variants: o.variant ?? base.variants,
      seed: o.seed ?? base.seed,
      ...(salt !== 0 ? { sched_salt: salt } : {}),
      trace_events: events,
      trace_buffer_kb: o.traceBufferKb ?? base.trace_buffer_kb,
    };
    if (!o.json) out(`reclaimsim run: scenario ${p.name}, kernel ${p.profile}${p.variants.length ? ` + ${p.variants.join(',')}` : ''}, seed ${p.seed}${p.sched_salt ? `, sched_salt ${p.sched_salt}` : ''}, RAM ${mib(p.ram_bytes)} MiB, ${count(p.cpus, 'CPU')}, HZ ${p.hz}, ${p.copies === 1 ? '1 copy' : `${p.copies} copies`} of ${mib(p.tree_bytes)} MiB${roundsText(p)}, ${cpuTimeText(p)}${livePatchText(p)}`);
    const sample = o.report !== undefined || o.metrics !== undefined || o.perfetto !== undefined;
    const snapshotsNs = o.procDir !== undefined ? scenario.outputs.proc_snapshots_ns : [];
    const { result: r, machine: m, sampler, snapshots } = await runObserved(p, {
      sample,
      snapshotsNs,
      ...(o.check !== undefined ? { check: o.check } : {}),
      ...(o.budget !== undefined ? { budgetNs: o.budget } : {}),
    });
    if (o.json) out(JSON.stringify(r, null, 2));
    else {
      out(`verdict: ${r.verdict} after ${ns(r.sim_time_ns)} simulated (${r.events} events)`);
      if (r.stall !== null) out(`stall: ${r.stall}: ${STALL_TEXT[r.stall]}`);
      out(`reason: ${r.reason}`);
      out('timeline:');
      for (const l of formatTimeline(r.timeline)) out(l);
      for (const l of squeezeSection(r)) out(l);
      if (r.verdict === 'LIVELOCK' || r.verdict === 'DEADLOCK') {
        out(`replay: ${replayLine(arg, { set: o.set, kernel: p.profile, variant: p.variants, seed: p.seed, ...(salt !== (fileSalt ?? 0) ? { schedSalt: salt } : {}) })}`);
      }
    }
    // Outputs, each written atomically; their names go to the summary (stderr with --json, so stdout stays JSON).
    const wrote = (what: string, path: string): void => (o.json ? err : out)(`wrote ${what}: ${path}`);
    const series = sampler?.series ?? null;
    if (o.dmesg !== undefined) {
      writeFileAtomic(o.dmesg, runDmesg(m, r), '--dmesg');
      wrote('dmesg', o.dmesg);
    }
    if (o.trace !== undefined) {
      writeFileAtomic(o.trace, runFtrace(m, r), '--trace');
      wrote('trace', o.trace);
    }
    if (o.perfetto !== undefined) {
      writeFileAtomic(o.perfetto, JSON.stringify(runChromeTrace(m, r, series)), '--perfetto');
      wrote('perfetto trace', o.perfetto);
    }
    if (o.metrics !== undefined && series !== null) {
      const run = { scenario: r.scenario, profile: r.profile, variants: r.variants, seed: r.seed, verdict: r.verdict };
      writeFileAtomic(o.metrics, extname(o.metrics).toLowerCase() === '.json' ? metricsJson(series, run) : metricsCsv(series), '--metrics');
      wrote('metrics', o.metrics);
    }
    if (o.procDir !== undefined) {
      // The verdict's snapshot; a requested instant equal to it is the same directory, with the state at the verdict.
      snapshots.set(r.sim_time_ns, procSnapshot(m));
      // Microsecond names, or nanosecond ones where two instants share a microsecond: one directory per instant.
      const times = [...snapshots.keys()].sort((a, b) => a - b);
      const names = snapshotDirNames(times);
      for (const t of times) for (const f of PROC_FILES) writeFileAtomic(join(o.procDir, names.get(t)!, f), snapshots.get(t)![f], '--proc-dir');
      // Instants after the verdict never came: say so rather than leave the user looking for them.
      const late = snapshotsNs.filter((t) => t > r.sim_time_ns);
      const skipped = late.length === 0 ? '' : `; not taken, the run ended at ${formatSeconds(r.sim_time_ns)} s: ${late.map((t) => formatDuration(t)).join(', ')}`;
      wrote('proc snapshots', `${o.procDir} (${times.map((t) => names.get(t)!).join(', ')})${skipped}`);
    }
    if (o.report !== undefined && series !== null) {
      const html = renderHtml(
        { title: `reclaimsim run: ${p.name}, ${runTitle(r)}, ${seedText(p.seed, p.sched_salt)}`, subtitle: describe(p), runs: [reportRun(m, r, series)] },
        uplotAssets(),
      );
      writeFileAtomic(o.report, html, '--report');
      wrote('report', o.report);
    }
    if (r.verdict === 'LIVELOCK' || r.verdict === 'DEADLOCK') throw new ExitRequest(EXIT_LIVENESS);
}

/**
 * The kernels `reproduce` runs, one table row each: the three profiles, then rc8 with each of the
 * alternatives the patch discusses. A candidate fix's variant gets its row here
 * (docs/adding-a-fix.md); the tests count rows and charts from this list.
 */
export const REPRODUCE_ROWS: readonly { profile: Profile; variants: Variant[] }[] = [
  { profile: '2.6.25-rc8', variants: [] },
  { profile: '2.6.25', variants: [] },
  { profile: '2.6.24', variants: [] },
  { profile: '2.6.25-rc8', variants: ['noop-ctor'] },
  { profile: '2.6.25-rc8', variants: ['single-cache'] },
  { profile: '2.6.25-rc8', variants: ['slub_nomerge'] },
  { profile: '2.6.25-rc8', variants: ['slab'] },
];

export function register(program: Command): void {
  addForceOption(addSetOption(
    program
      .command('run')
      .description('run a scenario once (default: the bundled flagship) and print its verdict')
      .argument('[scenario]', 'scenario file (path) or bundled scenario name', 'flagship')
      .option('--kernel <profile>', `kernel profile: ${PROFILES.join(', ')} (overrides the scenario)`, parseProfile)
      .option('--variant <list>', `variants: ${VARIANTS.join(', ')} (comma-separated, repeatable; overrides the scenario)`, parseVariants)
      .option('--seed <n>', 'PRNG seed (overrides the scenario)', parseIntFlag('--seed', 0, Number.MAX_SAFE_INTEGER))
      .option('--sched-salt <n>', 'scheduling perturbation of a swarm run, instead of the scenario\'s sched_salt (0: none)', parseIntFlag('--sched-salt', 0, 2 ** 32 - 1))
      .option('--json', 'print the result as JSON')
      .option('--report <file>', 'write an HTML report (self-contained, charts and task table)', parseOutFile('--report'))
      .option('--dmesg <file>', 'write the kernel log as dmesg text, with a SysRq show_state dump at the verdict', parseOutFile('--dmesg'))
      .option('--trace <file>', 'write the trace ring as ftrace text (trace-cmd report layout)', parseOutFile('--trace'))
      .option('--perfetto <file>', 'write Chrome trace-event JSON for ui.perfetto.dev', parseOutFile('--perfetto'))
      .option('--metrics <file>', 'write the metrics time series (.csv or .json)', parseOutFile('--metrics', ['.csv', '.json']))
      .option('--proc-dir <dir>', 'write /proc snapshots (outputs.proc_snapshots and the verdict) as DIR/<t>s/{meminfo,vmstat,zoneinfo,slabinfo}', parseOutDir('--proc-dir'))
      .option('--events <list>', `tracepoint filters, comma-separated (default for --trace/--perfetto: the scenario's, else ${DEFAULT_TRACE_EVENTS.join(',')})`, parseEvents)
      .option('--trace-buffer-kb <n>', 'trace ring size in KiB (overrides outputs.trace_buffer_kb)', parseIntFlag('--trace-buffer-kb', 1, 256 * 1024))
      .option('--check <level>', 'invariant checking: off, cheap or full (overrides checks.invariants; full is slow)', parseCheckLevel)
      .option('--budget <duration>', 'wall-clock budget, e.g. 30s: the run stops with verdict LIMIT and writes its outputs', parseBudget),
  )).action(async (arg: string, o: { set: string[]; kernel?: Profile; variant?: Variant[]; seed?: number; schedSalt?: number; json?: boolean; check?: CheckLevel; budget?: number; force?: boolean } & OutputOptions) => {
      armSigint();
      try {
        await runCommand(arg, o);
      } catch (e) {
        // A safety violation names the invariant and the event; add the command that replays it.
        if (e instanceof InvariantViolation) throw new InvariantViolation(e.invariant, `${e.detail}; replay: ${replayLine(arg, o)} --check full`, e.timeNs, e.event);
        throw e;
      } finally {
        disarmSigint();
      }
    });

  addForceOption(addSetOption(
    program
      .command('reproduce')
      .description('the main job: a scenario (default: the flagship) over every profile and variant and several seeds, as one table')
      .argument('[scenario]', 'scenario file (path) or bundled scenario name', 'flagship')
      .option('--seeds <n>', 'seeds per row (1..n)', parseIntFlag('--seeds', 1, 10_000), 3)
      .option('--workers <n>', 'worker threads (default: the available cores)', parseIntFlag('--workers', 1, 256))
      .option('--json', 'print the table as JSON')
      .option('--report <file>', 'also write an HTML report: each row\'s seed 1 (run with samplers), side by side', parseOutFile('--report')),
  )).action(async (arg: string, o: { set: string[]; seeds: number; workers?: number; json?: boolean; report?: string; force?: boolean }) => {
      // The table runs every kernel: a --set of the kernel would be overridden row by row, silently.
      const kernelSet = o.set.find((x) => /^\s*(profile|variants)\s*=/.test(x));
      if (kernelSet !== undefined) throw new UsageError(`--set ${kernelSet}: reproduce runs every profile and variant, one row each; for one kernel use reclaimsim run --set ${kernelSet}, or sweep with --grid`);
      const reproduceScenario = loadScenarioArg(arg, o.set);
      // One machine per worker at a time; the check is for one, as `run` makes it.
      checkHostMemory(reproduceScenario, o.force === true);
      const DEFAULT_PARAMS = paramsFromScenario(reproduceScenario);
      checkOutFile('--report', o.report);
      const rows = REPRODUCE_ROWS;
      if (!o.json) out(`reclaimsim reproduce: ${DEFAULT_PARAMS.name} (${DEFAULT_PARAMS.copies} copies of ${mib(DEFAULT_PARAMS.tree_bytes)} MiB into tmpfs on ${mib(DEFAULT_PARAMS.ram_bytes)} MiB RAM, ${cpuTimeText(DEFAULT_PARAMS)}${livePatchText(DEFAULT_PARAMS)}), seeds 1..${o.seeds}`);
      // Every (row, seed) run on the worker pool; results come back in input order. With --report,
      // seed 1 of each row runs here instead, with the samplers attached, while the pool runs the
      // other seeds: sampling only observes (the result is byte-identical), so the report costs no
      // extra runs.
      const list = rows.flatMap((row) => Array.from({ length: o.seeds }, (_, i) => ({ ...DEFAULT_PARAMS, profile: row.profile, variants: row.variants, seed: i + 1 })));
      const observeHere = o.report !== undefined;
      const poolList = observeHere ? list.filter((p) => p.seed !== 1) : list;
      const observeRows = async (): Promise<ReportRun[]> => {
        const runs: ReportRun[] = [];
        for (const p of list) {
          if (p.seed !== 1) continue;
          const { result, machine, sampler } = await runObserved(p, { sample: true });
          runs.push(reportRun(machine, result, sampler!.series, `${runTitle(result)} (seed 1)`));
        }
        return runs;
      };
      const [pooled, observed] = await Promise.all([
        poolList.length > 0 ? runMany(poolList, o.workers ?? defaultWorkers()) : Promise.resolve([]),
        observeHere ? observeRows() : Promise.resolve([]),
      ]);
      // Ctrl-C stops the run observed for the report as LIMIT: a table counting it would mislead.
      if (observed.some((r) => r.result.verdict === 'LIMIT' && /SIGINT/.test(r.result.reason))) {
        err('reclaimsim reproduce: interrupted (Ctrl-C); no table, since the interrupted run would count as one that hit a limit');
        throw new ExitRequest(130);
      }
      const all: RunResult[] = [];
      let pi = 0;
      let oi = 0;
      for (const p of list) all.push(observeHere && p.seed === 1 ? observed[oi++]!.result : pooled[pi++]!);
      const table = rows.map((row, ri) => reproduceRow(row, all.slice(ri * o.seeds, (ri + 1) * o.seeds)));
      const writeReport = async (): Promise<void> => {
        if (o.report === undefined) return;
        const html = renderHtml({ title: `reclaimsim reproduce: ${DEFAULT_PARAMS.name}`, subtitle: `${describe(DEFAULT_PARAMS)}; each row's seed 1, side by side`, runs: observed }, uplotAssets());
        writeFileAtomic(o.report, html, '--report');
        (o.json ? err : out)(`wrote report: ${o.report}`);
      };
      if (o.json) {
        out(JSON.stringify({ seeds: o.seeds, rows: table }, null, 2));
        await writeReport();
        return;
      }
      for (const l of formatReproduceTable(table)) out(l);
      for (const l of reproduceNotes(table, DEFAULT_PARAMS)) out(l);
      if (o.report !== undefined) out('');
      await writeReport();
  });
}
