/**
 * Workqueues with one worker thread per CPU, as create_workqueue("kblockd") makes them.
 *
 * Mirrors: kernel/workqueue.c (queue_work, run_workqueue, worker_thread), 2.6.25, and
 * block/blk-core.c (kblockd_schedule_work). A work item is queued on the CPU that queues it and
 * runs in that CPU's worker thread (e.g. `kblockd/0`), in process context, so it may sleep.
 * A pending work item is not queued twice (WORK_STRUCT_PENDING).
 */
import type { Kernel } from './kernel.js';
import { Task, TASK_INTERRUPTIBLE, type KGen } from './task.js';
import { schedule } from './sched.js';
import { finish_wait, prepare_to_wait, wait_queue_head_t, wake_up } from './wait.js';

export type WorkFn = (k: Kernel) => KGen | void;

export class work_struct {
  pending = false;
  /** Times this work ran, for reports. */
  runs = 0;
  constructor(
    readonly name: string,
    readonly func: WorkFn,
  ) {}
}

class cpu_workqueue_struct {
  readonly worklist: work_struct[] = [];
  readonly more_work: wait_queue_head_t;
  thread: Task | null = null;
  constructor(name: string) {
    this.more_work = new wait_queue_head_t(`${name}.more_work`);
  }
}

export class workqueue_struct {
  readonly cpu_wq: cpu_workqueue_struct[] = [];
  constructor(
    readonly k: Kernel,
    readonly name: string,
  ) {}
}

/** create_workqueue(name): one worker thread per CPU, named `name/N`. */
export function create_workqueue(k: Kernel, name: string): workqueue_struct {
  const wq = new workqueue_struct(k, name);
  for (let cpu = 0; cpu < k.nr_cpu_ids; cpu++) {
    const cwq = new cpu_workqueue_struct(`${name}/${cpu}`);
    wq.cpu_wq.push(cwq);
    cwq.thread = k.kthread_run(`${name}/${cpu}`, cpu, 0, () => worker_thread(k, cwq));
  }
  return wq;
}

/** worker_thread: sleep until work is queued, then run it (run_workqueue). */
function* worker_thread(k: Kernel, cwq: cpu_workqueue_struct): KGen {
  const t = k.current;
  t.enter('worker_thread');
  for (;;) {
    prepare_to_wait(k, cwq.more_work, TASK_INTERRUPTIBLE);
    if (cwq.worklist.length === 0) yield* schedule(k);
    finish_wait(k, cwq.more_work);
    // run_workqueue
    while (cwq.worklist.length > 0) {
      const work = cwq.worklist.shift()!;
      work.pending = false;
      work.runs++;
      t.enter(work.name);
      const r = work.func(k);
      if (r !== undefined) yield* r;
      t.leave();
    }
  }
}

/** queue_work(wq, work): queue on the current CPU unless already pending. Returns whether queued. */
export function queue_work(k: Kernel, wq: workqueue_struct, work: work_struct): boolean {
  if (work.pending) return false;
  work.pending = true;
  const cwq = wq.cpu_wq[k.smp_processor_id()]!;
  cwq.worklist.push(work);
  wake_up(k, cwq.more_work);
  return true;
}
