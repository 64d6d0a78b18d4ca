/**
 * Tasks (struct task_struct, as far as reclaim needs it): pid, comm, flags, state, CPU, switch
 * counts for the hung-task detector, and a "where am I" call chain for SysRq-style reports.
 *
 * Mirrors: include/linux/sched.h (TASK_* states, PF_* flags). Task bodies are generator
 * functions; a sleeping kernel path yields once its state is set (see sched.ts).
 */
import type { WaitEntry } from './wait.js';

export const TASK_RUNNING = 0;
export const TASK_INTERRUPTIBLE = 1;
export const TASK_UNINTERRUPTIBLE = 2;
export const TASK_DEAD = 64;
/** TASK_NORMAL: the states a plain wake_up wakes. */
export const TASK_NORMAL = TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE;

export const PF_MEMALLOC = 0x00000800;
export const PF_KSWAPD = 0x00040000;
export const PF_SWAPWRITE = 0x00800000;

/** What a sleeping kernel path yields to the scheduler; the value carries no meaning. */
export type KGen<T = void> = Generator<0, T, void>;

/**
 * The rest of a kernel path that had to sleep part-way: hot paths run as plain functions as far as
 * they can and return one of these (a generator that finishes the job) only when something would
 * sleep, so that no generator is made per page when nothing does.
 */
export type KRest<T> = KGen<T>;

/** Finishes `rest`, then leaves the caller's frame (the frame a plain function entered before it handed over its rest). */
export function* leave_after<T>(t: Task, rest: KRest<T>): KGen<T> {
  const v = yield* rest;
  t.leave();
  return v;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TaskFn = (task: Task) => KGen<any>;

export class Task {
  state = TASK_RUNNING;
  /** Voluntary context switches (incremented each time the task is scheduled in). */
  nvcsw = 0;
  nivcsw = 0;
  /** Hung-task detector bookkeeping (kernel/softlockup.c). */
  last_switch_count = 0;
  last_switch_timestamp = 0;
  /** Time this task last ran, ns. */
  last_ran_ns = 0;
  /** Time the current sleep started, ns (for reports). */
  sleep_start_ns = 0;
  /** Is the generator suspended off the runqueue? */
  asleep = false;
  onRq = false;
  kthread = false;
  /** Seq of a pending resume after modelled CPU time, or -1. */
  runUntilSeq = -1;
  /** CPU time (ns) this task asked for while queued for its CPU (cpu_sharing 'slice'). */
  cpu_wait_ns = 0;
  /** Set by cond_resched for its yield (PREEMPT_ACTIVE): the task stays runnable whatever its state. */
  preempt_active = false;
  /** Call chain, outermost first (for show_state and hung-task reports). */
  readonly frames: string[] = [];
  /** The task's wait-queue entries (DEFINE_WAIT on its kernel stack), one per wait loop it is in. */
  readonly waits: WaitEntry[];
  /** Per-task timer for schedule_timeout; created lazily by sched.ts. */
  sleepTimer: unknown = null;
  /** Where the task is waiting (a wait queue's name), for reports. */
  waitingOn = '';
  /** Counts of wake-ups by timeout vs by wake_up, for livelock reasons. */
  timeouts = 0;
  gen: KGen<unknown> | null = null;

  constructor(
    readonly pid: number,
    readonly comm: string,
    readonly cpu: number,
    public flags: number,
    fn: TaskFn | null,
  ) {
    this.waits = [{ task: this, flags: 0, queued: false, bound: null, head: null, prev: null, next: null }];
    if (fn !== null) this.gen = fn(this);
  }

  /** Enter a kernel function for reporting purposes (pair with leave()). */
  enter(fn: string): void {
    this.frames.push(fn);
  }

  leave(): void {
    this.frames.pop();
  }

  /** State letter as ps and show_state print it. */
  get stateLetter(): string {
    if (this.state === TASK_RUNNING) return 'R';
    if (this.state === TASK_UNINTERRUPTIBLE) return 'D';
    if (this.state === TASK_INTERRUPTIBLE) return 'S';
    if (this.state === TASK_DEAD) return 'X';
    return '?';
  }
}
