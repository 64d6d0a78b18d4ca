/**
 * Gathers what the formatters need from a finished run (its result and machine): the dmesg text
 * with the show_state dump, the trace inputs and the report run. Read-only.
 */
import type { MetricsSeries } from '../check/metrics.js';
import type { Machine } from '../scenario/machine.js';
import type { RunResult } from '../scenario/result.js';
import { dmesgPrefix, formatDmesg } from './dmesg.js';
import type { ReportRun } from './html.js';
import { chromeTrace, type ChromeTrace } from './perfetto.js';
import { formatFtrace } from './ftrace.js';

/** "2.6.25-rc8", "2.6.25-rc8 + noop-ctor". */
export function runTitle(r: Pick<RunResult, 'profile' | 'variants'>): string {
  return r.profile + (r.variants.length ? ` + ${r.variants.join(',')}` : '');
}

/** "seed N", and the scheduler salt when the run had one (a swarm run or a scenario's sched_salt). */
export function seedText(seed: number, sched_salt: number | undefined): string {
  return `seed ${seed}${sched_salt ? `, sched_salt ${sched_salt}` : ''}`;
}

/** The kernel log with a SysRq show_state dump at the verdict. */
export function runDmesg(m: Machine, r: RunResult): string {
  return formatDmesg(m.k.log.lines, { dropped: m.k.log.dropped, showState: { timeNs: r.sim_time_ns, tasks: r.tasks } });
}

export function runFtrace(m: Machine, r: RunResult): string {
  return formatFtrace(m.k.trace.records(), {
    cpus: m.params.cpus,
    overwritten: m.k.trace.overwritten,
    events: m.params.trace_events,
    buffer_kb: m.params.trace_buffer_kb,
    title: `scenario ${r.scenario}, kernel ${runTitle(r)}, ${seedText(r.seed, m.params.sched_salt)}, verdict ${r.verdict} at ${r.sim_time_ns} ns`,
  });
}

export function runChromeTrace(m: Machine, r: RunResult, series: MetricsSeries | null): ChromeTrace {
  return chromeTrace({
    title: `${r.scenario} ${runTitle(r)} ${seedText(r.seed, m.params.sched_salt)}`,
    records: m.k.trace.records(),
    overwritten: m.k.trace.overwritten,
    series,
    failures: m.pa.failures,
    tasks: m.k.tasks.map((t) => ({ pid: t.pid, comm: t.comm })),
    endNs: r.sim_time_ns,
  });
}

export function reportRun(m: Machine, r: RunResult, series: MetricsSeries, title = runTitle(r), logLines = 60): ReportRun {
  const lines = m.k.log.lines;
  const tail = lines.slice(Math.max(0, lines.length - logLines)).map((l) => dmesgPrefix(l.timeNs) + l.text);
  return {
    title,
    result: r,
    ...(m.params.sched_salt ? { sched_salt: m.params.sched_salt } : {}),
    series,
    failures: m.pa.failures.map((f) => ({ timeNs: f.timeNs, pid: f.pid, comm: f.comm, order: f.order, gfp: f.gfp, reported: f.reported })),
    logTail: tail,
  };
}
