/**
 * The simulated kernel's global context: engine, HZ and jiffies, CPUs, the task list and
 * `current`, the same-instant runqueue, timers, softirqs and the kernel log.
 *
 * Mirrors: kernel/sched.c (scheduling as far as sleeping and waking go), kernel/timer.c (timers,
 * jiffies), kernel/softirq.c, kernel/printk.c. One Kernel per run; model objects keep a reference.
 *
 * Simplified: no priorities and no preemption between tasks. A runnable task runs until it sleeps
 * or spends modelled CPU time (run_for_ns); tasks on different CPUs run concurrently, and how
 * tasks of one CPU share it is the CpuSharing option (at once, first come first served, or one
 * at a time in 10 ms slices). Interrupt work charged to a CPU (softirq_charge) holds its tasks,
 * its softirq rounds and its timers until it ends. Same-instant order among runnable tasks is
 * drawn from the run's PRNG (the scheduler decision point), so a seed fixes it and exploration
 * can vary it.
 */
import { Sim } from '../sim/engine.js';
import { Prng } from '../sim/prng.js';
import { assert } from '../sim/assert.js';
import { jiffiesToNs, nsToJiffies } from '../sim/time.js';
import { Task, TASK_RUNNING, TASK_DEAD, type TaskFn } from './task.js';
import { KernelLog } from './printk.js';
import { Tracer, type TraceValue } from './trace.js';

export const SOFTIRQ_TIMER = 1;
export const SOFTIRQ_BLOCK = 4;

/** A kernel timer (struct timer_list). Armed timers own one pending engine event. */
export class timer_list {
  expires = 0;
  /** Seq of the pending engine event, or -1 when not pending. */
  pendingSeq = -1;
  cpu = 0;
  readonly id: number;
  constructor(
    k: Kernel,
    public fn: (data: number) => void,
    public data = 0,
  ) {
    this.id = k.timers.length;
    k.timers.push(this);
  }
}

export interface KernelOptions {
  hz: number;
  cpus: number;
  seed: number;
  /**
   * Scheduling salt: a non-zero salt gives the scheduler's same-instant decisions their own stream
   * (`sched/<salt>`), so exploration can vary interleavings while everything else stays the same.
   */
  sched_salt?: number;
  /** Optional engine to share (tests); a fresh one otherwise. */
  sim?: Sim;
  /** How tasks of one CPU spend CPU time (run_for_ns), see CpuSharing; default 'overlap'. */
  cpu_sharing?: CpuSharing;
  /**
   * Let run_for_ns skip its resume event when nothing else could run meanwhile (runInline);
   * default true. Results are the same either way; tests turn it off to show that.
   */
  inline_runs?: boolean;
}

/**
 * How tasks of one CPU spend modelled CPU time (run_for_ns). 'overlap': all at the same time.
 * 'fifo': one task's time after another's, in the order asked for. 'slice': a CPU serves one task
 * at a time, which keeps it until it sleeps or has had CPU_SLICE_NS while others wait; the others
 * queue first come first served. Code between CPU-time charges takes no time in every mode.
 */
export type CpuSharing = 'overlap' | 'fifo' | 'slice';

/**
 * The time slice of cpu_sharing 'slice': about what CFS gives each of two or three CPU-bound
 * tasks of a CPU in 2.6.25 (kernel/sched_fair.c: sysctl_sched_latency 20 ms shared among the
 * runnable tasks, sysctl_sched_min_granularity 4 ms).
 */
export const CPU_SLICE_NS = 10_000_000;

/** The mark between a task's own frames and an interrupt's on its call chain (x86_64 dump_stack prints it). */
export const EOI = '<EOI>';
/** Frames of a hardware interrupt, outermost first. */
export const IRQ_ENTRY: readonly string[] = ['do_IRQ'];
/** Frames of softirq work run on the way out of a hardware interrupt (irq_exit), outermost first. */
export const SOFTIRQ_ENTRY: readonly string[] = ['do_IRQ', 'irq_exit', 'do_softirq', '__do_softirq'];
/** Frames of a timer handler: the local APIC timer interrupt, then TIMER_SOFTIRQ on its way out. */
export const TIMER_SOFTIRQ_ENTRY: readonly string[] = ['smp_apic_timer_interrupt', 'irq_exit', 'do_softirq', '__do_softirq', 'run_timer_softirq'];

/** runUntilSeq of a task queued for its CPU (cpu_sharing 'slice'): not a real event, but >= 0. */
const WAITING_FOR_CPU = Number.MAX_SAFE_INTEGER;

export class Kernel {
  readonly sim: Sim;
  readonly HZ: number;
  readonly nr_cpu_ids: number;
  readonly prng: Prng;
  /** PRNG stream for the scheduler's same-instant decisions. */
  readonly schedRng: Prng;
  readonly tasks: Task[] = [];
  /** The task whose code is running (the interrupted task, or swapper, in interrupt context). */
  current: Task;
  /** Non-zero while a timer or softirq handler runs (in_interrupt()). */
  in_interrupt = 0;
  /** Per-CPU idle tasks ("swapper"), the current task in interrupt context. */
  readonly idle: Task[] = [];
  readonly timers: timer_list[] = [];
  readonly log: KernelLog;
  /** Tracepoints; call sites test `k.trace.on[TP.x]` before emitting. */
  readonly trace = new Tracer();
  private nextPid = 1;
  private readonly runnable: Task[] = [];
  /** Time of the earliest scheduling pass already queued, or -1 (a pass at a later time may exist too). */
  private schedAt = -1;
  private softirqPending: number[] = [];
  private softirqScheduled: boolean[] = [];
  private readonly softirqActions: ((k: Kernel, cpu: number) => void)[] = [];
  /** Tasks in io_schedule*: rq->nr_iowait summed over CPUs. */
  nr_iowait = 0;
  /**
   * Coverage marks: rare kernel paths note that they ran (free-list command used, mempool reserve
   * used, DEFER with device_busy == 0, ...) so tests can assert they were reached.
   */
  readonly marks = new Map<string, number>();
  /** When each mark was first made, ns (for a run's timeline). */
  readonly marks_first_ns = new Map<string, number>();
  /** Count of context switches into tasks, for statistics. */
  nr_switches = 0;
  /** CPU-time charges that needed no resume event (runInline), for statistics. */
  nr_inline_runs = 0;
  /**
   * Per CPU: until when (ns) the CPU is busy in interrupt context (softirq work that takes modelled
   * CPU time, see softirq_charge). No task of that CPU runs before then; tasks of other CPUs do.
   */
  readonly cpu_busy_until: Float64Array;
  /** Per CPU, with cpu_sharing 'fifo' or 'slice': until when (ns) task CPU time already granted runs. */
  readonly cpu_task_until: Float64Array;
  readonly cpu_sharing: CpuSharing;
  /**
   * Per CPU: the task given the CPU's time last, and the span of that grant (ns). An interrupt
   * that comes inside the span interrupts that task (interruptedTask).
   */
  private readonly cpu_run_task: (Task | null)[] = [];
  private readonly cpu_run_from: Float64Array;
  private readonly cpu_run_to: Float64Array;
  /**
   * Let CPU-time charges and interrupt work skip events nothing could come between (runInline,
   * mayAdvanceInline). Results are the same either way; tests turn it off to show that.
   */
  inline_runs: boolean;
  /** cpu_sharing 'slice': the task each CPU serves, when its slice ends, and who waits (FIFO). */
  private readonly cpu_owner: (Task | null)[] = [];
  private readonly cpu_slice_end: Float64Array;
  private readonly cpu_waiters: Task[][] = [];
  /** Tasks held back by a busy CPU during the current runRunnable pass (reused). */
  private readonly held: Task[] = [];

  readonly KIND_SCHED: number;
  readonly KIND_TIMER: number;
  readonly KIND_RESUME: number;
  readonly KIND_SOFTIRQ: number;

  constructor(opts: KernelOptions) {
    assert([100, 250, 300, 1000].includes(opts.hz), `HZ must be 100, 250, 300 or 1000, got ${opts.hz}`);
    assert(Number.isInteger(opts.cpus) && opts.cpus >= 1 && opts.cpus <= 256, `cpus must be 1..256, got ${opts.cpus}`);
    this.sim = opts.sim ?? new Sim(4096);
    this.HZ = opts.hz;
    this.nr_cpu_ids = opts.cpus;
    this.prng = Prng.seeded(opts.seed);
    this.schedRng = this.prng.derive(opts.sched_salt ? `sched/${opts.sched_salt}` : 'sched');
    this.log = new KernelLog(this);
    this.cpu_busy_until = new Float64Array(opts.cpus);
    this.cpu_task_until = new Float64Array(opts.cpus);
    this.cpu_run_from = new Float64Array(opts.cpus);
    this.cpu_run_to = new Float64Array(opts.cpus);
    this.cpu_sharing = opts.cpu_sharing ?? 'overlap';
    this.inline_runs = opts.inline_runs ?? true;
    this.cpu_slice_end = new Float64Array(opts.cpus);
    for (let cpu = 0; cpu < opts.cpus; cpu++) {
      this.cpu_owner.push(null);
      this.cpu_waiters.push([]);
      const t = new Task(0, 'swapper', cpu, 0, null);
      this.idle.push(t);
      this.softirqPending.push(0);
      this.softirqScheduled.push(false);
    }
    this.current = this.idle[0]!;
    this.KIND_SCHED = this.sim.register('sched', () => this.runRunnable());
    this.KIND_TIMER = this.sim.register('timer', (id) => this.fireTimer(id));
    this.KIND_RESUME = this.sim.register('resume', (pid) => this.resumeAfterRun(pid));
    this.KIND_SOFTIRQ = this.sim.register('softirq', (cpu) => this.runSoftirq(cpu));
  }

  /** Current jiffies (jiffies start at 0 at boot in the model; the kernel starts them at -300*HZ). */
  get jiffies(): number {
    return nsToJiffies(this.sim.now, this.HZ);
  }

  get now(): number {
    return this.sim.now;
  }

  /** smp_processor_id(): the CPU of the running context. */
  smp_processor_id(): number {
    return this.current.cpu;
  }

  /** Creates a task; kernel threads pass `kthread = true`. Returns it runnable (wake_up_new_task). */
  kthread_run(comm: string, cpu: number, flags: number, fn: TaskFn, kthread = true): Task {
    const t = new Task(this.nextPid++, comm, cpu % this.nr_cpu_ids, flags, fn);
    t.kthread = kthread;
    this.tasks.push(t);
    t.state = TASK_RUNNING;
    this.enqueue(t);
    return t;
  }

  /**
   * @kernel kernel/sched.c try_to_wake_up
   * Makes a sleeping task runnable. A task whose state does not match is left alone; one that set
   * a sleeping state but has not slept yet (it is still on the runqueue: running, spending CPU
   * time, or queued) becomes TASK_RUNNING without success. Returns whether a sleeper was woken.
   */
  wake_up_process(t: Task, stateMask = 3): boolean {
    if (t.state === TASK_RUNNING || t.state === TASK_DEAD || (t.state & stateMask) === 0) return false;
    t.state = TASK_RUNNING;
    if (!t.asleep) return false;
    this.enqueue(t);
    return true;
  }

  private enqueue(t: Task): void {
    if (t.onRq) return;
    t.onRq = true;
    t.asleep = false;
    this.runnable.push(t);
    const now = this.sim.now;
    if (this.schedAt < 0 || this.schedAt > now) {
      this.schedAt = now;
      this.sim.at(now, this.KIND_SCHED, 0);
    }
  }

  /**
   * Runs every task runnable at this instant, in an order drawn from the scheduler's PRNG. A task
   * whose CPU is busy in interrupt context waits, still runnable, until that CPU is free.
   */
  private runRunnable(): void {
    const now = this.sim.now;
    if (this.schedAt === now) this.schedAt = -1;
    const rq = this.runnable;
    const busy = this.cpu_busy_until;
    const held = this.held;
    while (rq.length > 0) {
      let i = 0;
      if (rq.length > 1) i = this.schedRng.below(rq.length);
      const t = rq[i]!;
      rq[i] = rq[rq.length - 1]!;
      rq.pop();
      // The clock, not `now`: a task that ran inline (runInline) may have moved it.
      if (busy[t.cpu]! > this.sim.now) {
        held.push(t);
        continue;
      }
      t.onRq = false;
      this.switchTo(t);
    }
    if (held.length > 0) {
      let at = Infinity;
      for (const t of held) {
        rq.push(t);
        if (busy[t.cpu]! < at) at = busy[t.cpu]!;
      }
      held.length = 0;
      if (this.schedAt < 0 || this.schedAt > at) {
        this.schedAt = at;
        this.sim.at(at, this.KIND_SCHED, 0);
      }
    }
  }

  /**
   * Charges `ns` of CPU time to interrupt-context work on `cpu` that started now (or when the
   * CPU's earlier interrupt work ends). Returns the instant the work is done; until then no task
   * of that CPU runs. Not a kernel function: it is how the model lets softirq work take time, so
   * that tasks on other CPUs run while one CPU completes I/O, as on a real SMP machine.
   */
  softirq_charge(cpu: number, ns: number): number {
    const busy = this.cpu_busy_until;
    const end = Math.max(busy[cpu]!, this.sim.now) + ns;
    busy[cpu] = end;
    return end;
  }

  private switchTo(t: Task): void {
    const prev = this.current;
    this.current = t;
    t.nvcsw++;
    this.nr_switches++;
    t.last_ran_ns = this.sim.now;
    const r = t.gen!.next();
    this.current = prev;
    if (r.done) {
      t.state = TASK_DEAD;
      t.frames.length = 0;
      if (this.cpu_owner[t.cpu] === t) this.handOverCpu(t.cpu);
      return;
    }
    // The task yielded: it is asleep unless it was woken in between (or is spending CPU time).
    if (t.runUntilSeq >= 0) return;
    if (t.state === TASK_RUNNING || t.preempt_active) {
      // Voluntary yield while runnable (cond_resched): run again at this instant. cond_resched
      // yields with PREEMPT_ACTIVE, so a task that already set a sleeping state stays runnable,
      // as schedule() in 2.6.25 does not deactivate a task when PREEMPT_ACTIVE is set.
      t.preempt_active = false;
      this.enqueue(t);
    } else {
      t.asleep = true;
      if (this.cpu_owner[t.cpu] === t) this.handOverCpu(t.cpu);
    }
  }

  /**
   * Arms the task's resume event after `ns` of modelled CPU time; used by run_for_ns. With
   * cpu_sharing 'overlap' the time starts now. With 'fifo' it starts when the CPU has served the
   * task time granted before it (first come first served, no preemption). With 'slice' the same,
   * but only for the task that has the CPU: another task queues until the owner sleeps, exits, or
   * asks for more time after its slice ended while others wait.
   */
  armRun(t: Task, ns: number): void {
    if (this.cpu_sharing === 'overlap') {
      this.noteRun(t, this.sim.now, this.sim.now + ns);
      t.runUntilSeq = this.sim.after(ns, this.KIND_RESUME, t.pid);
      return;
    }
    if (this.cpu_sharing === 'fifo') {
      this.grantCpu(t, ns);
      return;
    }
    const cpu = t.cpu;
    const owner = this.cpu_owner[cpu]!;
    if (!this.sliceMayRun(t)) {
      // Someone else has the CPU, or this task's slice is over and others wait: queue behind them.
      t.cpu_wait_ns = ns;
      this.cpu_waiters[cpu]!.push(t);
      t.runUntilSeq = WAITING_FOR_CPU;
      if (owner === t) this.handOverCpu(cpu);
      return;
    }
    if (owner === null) this.takeCpu(t);
    this.grantCpu(t, ns);
  }

  /**
   * cpu_sharing 'slice': may `t` spend CPU time now? Yes if its CPU is free, or if `t` has it and
   * its slice is not over while others wait.
   */
  private sliceMayRun(t: Task): boolean {
    const cpu = t.cpu;
    const owner = this.cpu_owner[cpu];
    return owner === null || (owner === t && !(this.sim.now >= this.cpu_slice_end[cpu]! && this.cpu_waiters[cpu]!.length > 0));
  }

  /** cpu_sharing 'slice': `t` gets its CPU for a slice that starts when the time granted before it ends. */
  private takeCpu(t: Task): void {
    this.cpu_owner[t.cpu] = t;
    this.cpu_slice_end[t.cpu] = this.grantEnd(t.cpu, CPU_SLICE_NS);
  }

  /** When `ns` of `cpu`'s task time, given after what was granted before, would end. */
  private grantEnd(cpu: number, ns: number): number {
    return Math.max(this.sim.now, this.cpu_task_until[cpu]!) + ns;
  }

  /**
   * run_for_ns without the resume event, where that provably changes nothing: returns true after
   * moving the clock to the end of the task's CPU time, and false (nothing changed) when the task
   * must sleep until its resume event instead. Not a kernel function: it makes CPU-time charges
   * that nothing else could interleave with cost a function call instead of two engine events.
   *
   * The event path is: armRun grants the time, the task yields, the engine pops the resume event
   * at `end` (resumeAfterRun enqueues the task) and then the sched event at `end` (runRunnable
   * switches to it). Nothing else happens in between if nothing is queued at or before `end`, no
   * other task is runnable or held back now, and the task's CPU is not busy in interrupt context
   * at `end`. Then this does what those two events would have done: the same CPU accounting, the
   * clock at `end`, two events counted and one context switch into the task.
   */
  runInline(t: Task, ns: number): boolean {
    if (!this.inline_runs || this.runnable.length !== 0 || this.held.length !== 0) return false;
    const cpu = t.cpu;
    const slice = this.cpu_sharing === 'slice';
    if (slice && !this.sliceMayRun(t)) return false;
    const overlap = this.cpu_sharing === 'overlap';
    const end = overlap ? this.sim.now + ns : this.grantEnd(cpu, ns);
    if (this.cpu_busy_until[cpu]! > end || !this.sim.canAdvanceInline(end, 2)) return false;
    // As armRun then grantCpu would: the CPU's owner and its granted time.
    if (slice && this.cpu_owner[cpu] === null) this.takeCpu(t);
    if (!overlap) this.cpu_task_until[cpu] = end;
    this.noteRun(t, end - ns, end);
    this.sim.advanceInline(end, 2);
    this.nr_inline_runs++;
    // schedAt is -1 here, as the event path would leave it: a pending sched event would be queued
    // at or before `end`, and one for held-back tasks would leave them runnable.
    t.nvcsw++;
    this.nr_switches++;
    t.last_ran_ns = end;
    return true;
  }

  /**
   * May interrupt-context work that takes modelled CPU time (a completion ending its bios one by
   * one) move the clock to `t` itself instead of scheduling an event for its next step? As for
   * runInline: only when nothing is runnable and the engine would have popped that event next.
   * The caller then calls sim.advanceInline(t, 1); results are the same as with the event.
   */
  mayAdvanceInline(t: number): boolean {
    return this.inline_runs && this.runnable.length === 0 && this.held.length === 0 && this.sim.canAdvanceInline(t, 1);
  }

  /** Gives `t` `ns` of its CPU's time after what was granted before; it resumes when that ends. */
  private grantCpu(t: Task, ns: number): void {
    const end = this.grantEnd(t.cpu, ns);
    this.noteRun(t, end - ns, end);
    this.cpu_task_until[t.cpu] = end;
    t.runUntilSeq = this.sim.at(end, this.KIND_RESUME, t.pid);
  }

  /** Records that `t` has its CPU from `from` to `to` (ns), for interruptedTask. */
  private noteRun(t: Task, from: number, to: number): void {
    this.cpu_run_task[t.cpu] = t;
    this.cpu_run_from[t.cpu] = from;
    this.cpu_run_to[t.cpu] = to;
  }

  /**
   * The task an interrupt on `cpu` interrupts now: the one spending CPU time there (the last grant
   * of the CPU's time, if it covers this instant), else the CPU's idle task. In 2.6.25 softirqs run
   * on irq_exit in the context of whatever task was interrupted, so their failure reports and
   * trace lines name it. Simplified: with cpu_sharing 'fifo' a grant queued behind another hides
   * the one that covers now (the interrupt then names the idle task); with 'overlap' the task
   * granted last is named.
   */
  interruptedTask(cpu: number): Task {
    const t = this.cpu_run_task[cpu];
    const now = this.sim.now;
    if (t !== null && t !== undefined && t.state === TASK_RUNNING && this.cpu_run_from[cpu]! <= now && now < this.cpu_run_to[cpu]!) return t;
    return this.idle[cpu]!;
  }

  /** cpu_sharing 'slice': the CPU's owner sleeps, exits or ends its slice; the first waiter gets it. */
  private handOverCpu(cpu: number): void {
    const w = this.cpu_waiters[cpu]!.shift();
    if (w === undefined) {
      this.cpu_owner[cpu] = null;
      return;
    }
    this.takeCpu(w);
    this.grantCpu(w, w.cpu_wait_ns);
  }

  private resumeAfterRun(pid: number): void {
    const t = this.taskByPid(pid);
    if (t === undefined || t.runUntilSeq !== this.sim.currentSeq) return;
    t.runUntilSeq = -1;
    // The task keeps its state: one that set TASK_UNINTERRUPTIBLE (prepare_to_wait) before
    // spending CPU time must still sleep in the schedule() that follows, unless a wake-up came.
    this.enqueue(t);
  }

  taskByPid(pid: number): Task | undefined {
    // pids are dense and assigned in creation order.
    const t = this.tasks[pid - 1];
    return t !== undefined && t.pid === pid ? t : undefined;
  }

  // ---- timers (kernel/timer.c) ----

  /**
   * mod_timer: (re)arms a timer to fire at jiffy `expires` on the current CPU. Returns whether it was
   * pending. Simplified: a timer already due fires at once, where 2.6.25 fires it at the next tick;
   * every caller asks for at least one jiffy ahead.
   */
  mod_timer(timer: timer_list, expires: number): boolean {
    const was = timer.pendingSeq >= 0;
    this.add_timer_on(timer, expires, this.smp_processor_id());
    return was;
  }

  /**
   * @kernel kernel/timer.c add_timer_on
   * Arms a timer to fire at jiffy `expires` on `cpu` (per-CPU work such as vmstat_update's). Same
   * simplification as mod_timer for a timer already due.
   */
  add_timer_on(timer: timer_list, expires: number, cpu: number): void {
    timer.expires = expires;
    timer.cpu = cpu;
    timer.pendingSeq = this.sim.at(Math.max(this.sim.now, jiffiesToNs(expires, this.HZ)), this.KIND_TIMER, timer.id);
  }

  /** del_timer: deactivates a timer. Returns whether it was pending. */
  del_timer(timer: timer_list): boolean {
    const was = timer.pendingSeq >= 0;
    timer.pendingSeq = -1;
    return was;
  }

  timer_pending(timer: timer_list): boolean {
    return timer.pendingSeq >= 0;
  }

  /**
   * @kernel kernel/timer.c run_timer_softirq (raised by the tick, run by __do_softirq)
   * An expired timer runs in TIMER_SOFTIRQ. Softirqs do not nest: while its CPU is still in
   * softirq work charged to it (softirq_charge), the timer stays pending and runs when that work
   * is done, as raise_softirq's rounds do.
   */
  private fireTimer(id: number): void {
    const timer = this.timers[id]!;
    if (timer.pendingSeq !== this.sim.currentSeq) return; // stale: deleted or re-armed
    const busy = this.cpu_busy_until[timer.cpu]!;
    if (busy > this.sim.now) {
      timer.pendingSeq = this.sim.at(busy, this.KIND_TIMER, id);
      return;
    }
    timer.pendingSeq = -1;
    this.inInterrupt(timer.cpu, () => timer.fn(timer.data), TIMER_SOFTIRQ_ENTRY);
  }

  // ---- softirqs (kernel/softirq.c) ----

  open_softirq(nr: number, action: (k: Kernel, cpu: number) => void): void {
    this.softirqActions[nr] = action;
  }

  /**
   * @kernel kernel/softirq.c raise_softirq, irq_exit, __do_softirq
   * raise_softirq on a CPU: the action runs after the current event, at this instant, or, while
   * the CPU is still in softirq work charged to it (softirq_charge: a completion under way, a
   * failure report printing), when that work is done. Softirqs do not nest: one raised meanwhile
   * waits for __do_softirq's next round.
   */
  raise_softirq(cpu: number, nr: number): void {
    this.softirqPending[cpu]! |= 1 << nr;
    if (!this.softirqScheduled[cpu]) {
      this.softirqScheduled[cpu] = true;
      this.sim.at(Math.max(this.sim.now, this.cpu_busy_until[cpu]!), this.KIND_SOFTIRQ, cpu);
    }
  }

  private runSoftirq(cpu: number): void {
    // Work charged to the CPU after the round was scheduled comes first.
    if (this.cpu_busy_until[cpu]! > this.sim.now) {
      this.sim.at(this.cpu_busy_until[cpu]!, this.KIND_SOFTIRQ, cpu);
      return;
    }
    this.softirqScheduled[cpu] = false;
    let pending = this.softirqPending[cpu]!;
    this.softirqPending[cpu] = 0;
    this.inInterrupt(
      cpu,
      () => {
        for (let nr = 0; pending !== 0; nr++, pending >>>= 1) {
          if (pending & 1) this.softirqActions[nr]?.(this, cpu);
        }
      },
      SOFTIRQ_ENTRY,
    );
  }

  /**
   * @kernel arch/x86/kernel/irq_64.c do_IRQ, kernel/softirq.c irq_exit / __do_softirq
   * Runs `fn` in interrupt context on `cpu`: in_interrupt() is true and current is the task the
   * interrupt interrupts (interruptedTask: the task spending CPU time there, else the idle task,
   * "swapper"). `entry` names the interrupt's frames, outermost first (e.g. do_IRQ, irq_exit,
   * do_softirq, __do_softirq); they go on the interrupted task's call chain for the duration,
   * after an `<EOI>` mark where that chain has frames of its own, as an x86_64 stack dump shows
   * the interrupt stack above the process stack.
   */
  inInterrupt(cpu: number, fn: () => void, entry: readonly string[] = []): void {
    const prev = this.current;
    const t = this.interruptedTask(cpu);
    const depth = t.frames.length;
    if (depth > 0 && entry.length > 0) t.frames.push(EOI);
    for (const f of entry) t.frames.push(f);
    this.current = t;
    this.in_interrupt++;
    try {
      fn();
    } finally {
      this.in_interrupt--;
      this.current = prev;
      t.frames.length = depth;
    }
  }

  /** Emits tracepoint `id` from the current context (callers check k.trace.on[id] first). */
  tp(id: number, ...values: TraceValue[]): void {
    const c = this.current;
    this.trace.emit(this.sim.now, c.cpu, c.pid, c.comm, id, values);
  }

  /** Records that a rare path ran (see marks). */
  mark(name: string): void {
    const n = this.marks.get(name);
    if (n === undefined) this.marks_first_ns.set(name, this.sim.now);
    this.marks.set(name, (n ?? 0) + 1);
  }

  /** printk into the simulated kernel log. */
  printk(text: string): void {
    this.log.printk(text);
  }
}
