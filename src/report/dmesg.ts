/**
 * The kernel log of a run as `dmesg` prints it: `[    12.345678] text`, the seconds field 12
 * characters wide and right-aligned (printk's "[%5lu.%06lu] " prefix). The log holds what the model
 * printed: page allocation failure reports with their dump_stack and show_mem, "printk: N messages
 * suppressed." lines, hung-task reports. At the verdict a SysRq show_state dump (SysRq-T) can be
 * appended: per task comm, state letter and pid, then the call chain innermost first.
 */
import { formatSeconds } from '../sim/time.js';
import type { LogLine } from '../kernel/printk.js';
import type { TaskSummary } from '../scenario/result.js';

/** The state of one task at the verdict, as show_state needs it (the run result's task summary). */
export type TaskView = TaskSummary;

/** "[    12.345678] " for a simulated instant. */
export function dmesgPrefix(timeNs: number): string {
  return `[${formatSeconds(timeNs).padStart(12)}] `;
}

/**
 * @kernel kernel/sched.c show_state_filter, sched_show_task (via drivers/char/sysrq.c sysrq_handle_showstate)
 * Lines of the SysRq-T dump. Simplified: no PC, free stack or parent pid (the model has none);
 * each task line gives comm (13 columns, as sched_show_task), state, pid, switches and, for a
 * sleeping task, the wait queue; then "Call Trace:" with one ` [<sim>] function` per frame,
 * innermost first, and the chain on one line (`a <- b <- c`) for grep.
 */
export function formatShowState(tasks: readonly TaskView[]): string[] {
  const out = ['SysRq : Show State', '  task              pid  switches  timeouts  wait'];
  for (const t of tasks) {
    const comm = t.comm.length > 13 ? t.comm.slice(0, 13) : t.comm.padEnd(13);
    out.push(`${comm} ${t.state} ${String(t.pid).padStart(5)} ${String(t.switches).padStart(9)} ${String(t.timeouts).padStart(9)}  ${t.waitingOn === '' ? '-' : t.waitingOn}`);
    if (t.chain.length > 0) {
      out.push(`  ${t.chain.join(' <- ')}`);
      out.push('Call Trace:');
      for (const f of t.chain) out.push(` [<sim>] ${f}`);
    }
  }
  return out;
}

export interface DmesgOptions {
  /** Lines the log ring dropped before the first kept line (KernelLog.dropped). */
  dropped?: number;
  /** Append a SysRq show_state dump at this instant. */
  showState?: { timeNs: number; tasks: readonly TaskView[] };
}

/** The whole log as dmesg text (newline-terminated). */
export function formatDmesg(lines: readonly LogLine[], opts: DmesgOptions = {}): string {
  const out: string[] = [];
  if (opts.dropped) out.push(`${dmesgPrefix(lines[0]?.timeNs ?? 0)}reclaimsim: ${opts.dropped} earlier log lines were dropped (log ring full)`);
  for (const l of lines) out.push(dmesgPrefix(l.timeNs) + l.text);
  if (opts.showState) {
    const p = dmesgPrefix(opts.showState.timeNs);
    for (const l of formatShowState(opts.showState.tasks)) out.push(p + l);
  }
  return out.length === 0 ? '' : out.join('\n') + '\n';
}
