/**
 * Queue congestion state and congestion_wait.
 *
 * Mirrors: mm/backing-dev.c (congestion_wait, clear_bdi_congested, set_bdi_congested) and the
 * BDI_*_congested bits of include/linux/backing-dev.h, v2.6.25.
 *
 * There is one wait queue per direction for the whole kernel (congestion_wqh[READ/WRITE]); a
 * sleeper does not wait for a particular device. Any clear_bdi_congested in that direction wakes
 * every congestion_wait sleeper (they queue non-exclusively), which is why a request queue
 * falling below its congestion-off threshold wakes all reclaimers at once.
 *
 * Modelled per Kernel instance (tests run several kernels in one process). congestion_wait may
 * only be called from process context and sleeps; the set/clear functions never sleep.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { KGen } from '../kernel/task.js';
import { TASK_UNINTERRUPTIBLE } from '../kernel/task.js';
import { io_schedule_timeout } from '../kernel/sched.js';
import { finish_wait, prepare_to_wait, wait_queue_head_t, wake_up, waitqueue_active } from '../kernel/wait.js';
import { TP } from '../kernel/trace.js';
import { jiffiesToNs } from '../sim/time.js';

export const READ = 0;
export const WRITE = 1;
// enum bdi_state: bit 0 is BDI_pdflush (no pdflush in the model).
export const BDI_write_congested = 1;
export const BDI_read_congested = 2;

/** struct backing_dev_info, as far as congestion goes. */
export class backing_dev_info {
  state = 0;
  constructor(readonly name: string) {}
}

interface CongestionState {
  readonly congestion_wqh: readonly [wait_queue_head_t, wait_queue_head_t];
  /** congestion_wait calls and how many ended by timeout, per direction. */
  readonly waits: [number, number];
  readonly timeouts: [number, number];
}

const perKernel = new WeakMap<Kernel, CongestionState>();

/** The kernel's congestion wait queues (created on first use). */
export function congestionState(k: Kernel): CongestionState {
  let s = perKernel.get(k);
  if (s === undefined) {
    s = {
      congestion_wqh: [new wait_queue_head_t('congestion_wqh[READ]'), new wait_queue_head_t('congestion_wqh[WRITE]')],
      waits: [0, 0],
      timeouts: [0, 0],
    };
    perKernel.set(k, s);
  }
  return s;
}

function bitFor(rw: number): number {
  return rw === WRITE ? BDI_write_congested : BDI_read_congested;
}

/** @kernel mm/backing-dev.c set_bdi_congested */
export function set_bdi_congested(_k: Kernel, bdi: backing_dev_info, rw: number): void {
  bdi.state |= 1 << bitFor(rw);
}

/**
 * @kernel mm/backing-dev.c clear_bdi_congested
 * Clears the bit and wakes every sleeper on the direction's global queue, whatever device it
 * was waiting for.
 */
export function clear_bdi_congested(k: Kernel, bdi: backing_dev_info, rw: number): void {
  bdi.state &= ~(1 << bitFor(rw));
  const wqh = congestionState(k).congestion_wqh[rw === WRITE ? 1 : 0];
  if (waitqueue_active(wqh)) wake_up(k, wqh);
}

/** bdi_write_congested / bdi_read_congested. */
export function bdi_congested(bdi: backing_dev_info, rw: number): boolean {
  return (bdi.state & (1 << bitFor(rw))) !== 0;
}

/**
 * @kernel mm/backing-dev.c congestion_wait
 * Sleeps uninterruptibly on the direction's global queue for at most `timeout_jiffies`, or until
 * some queue clears congestion in that direction. Returns the jiffies left (0 on timeout).
 */
export function* congestion_wait(k: Kernel, rw: number, timeout_jiffies: number): KGen<number> {
  const s = congestionState(k);
  const d = rw === WRITE ? 1 : 0;
  const wqh = s.congestion_wqh[d];
  const t = k.current;
  const start = k.now;
  t.enter('congestion_wait');
  s.waits[d]++;
  prepare_to_wait(k, wqh, TASK_UNINTERRUPTIBLE);
  const ret = yield* io_schedule_timeout(k, timeout_jiffies);
  finish_wait(k, wqh);
  if (ret === 0) s.timeouts[d]++;
  t.leave();
  if (k.trace.on[TP.writeback_congestion_wait]) {
    k.tp(TP.writeback_congestion_wait, Math.floor(jiffiesToNs(timeout_jiffies, k.HZ) / 1000), Math.floor((k.now - start) / 1000));
  }
  return ret;
}
