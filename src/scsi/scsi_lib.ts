/**
 * The SCSI request path: prep (with BLKPREP_DEFER), scsi_request_fn with the device and host busy
 * limits, dispatch to the low-level driver, and the completion path back through the block layer.
 *
 * Mirrors: drivers/scsi/scsi_lib.c (scsi_get_cmd_from_req, scsi_setup_fs_cmnd, scsi_init_io,
 * scsi_alloc_sgtable, scsi_free_sgtable, scsi_release_buffers, scsi_unprep_request,
 * scsi_prep_return, scsi_dev_queue_ready, scsi_host_queue_ready, scsi_request_fn,
 * scsi_softirq_done, scsi_io_completion, scsi_end_request, scsi_next_command, scsi_run_queue,
 * scsi_device_unbusy, scsi_init_queue), drivers/scsi/sd.c (sd_prep_fn, sd_done) and
 * drivers/scsi/scsi.c (scsi_dispatch_cmd, scsi_done, scsi_finish_command), v2.6.25.
 *
 * Every allocation on this path is GFP_ATOMIC: prep runs under the queue lock with interrupts off.
 * A failed command or sg-table allocation defers the request, and a DEFER with nothing in flight
 * (device_busy == 0) plugs the queue so that the unplug timer (kblockd) retries it.
 *
 * Not modelled: error handling and retries, tagged queueing, single-LUN targets, device states
 * other than running, BLOCK_PC requests. Contexts: process (kblockd, unplug at threshold) or
 * softirq (completion); never sleeps.
 */
import { assert, fail } from '../sim/assert.js';
import { SOFTIRQ_ENTRY, type Kernel } from '../kernel/kernel.js';
import { TP } from '../kernel/trace.js';
import { GFP_ATOMIC, __GFP_WAIT } from '../include/gfp.js';
import { mempool_alloc_first, mempool_free, type mempool_t } from '../mm/mempool.js';
import {
  blk_end_request,
  blk_end_request_begin,
  blk_end_one_bio,
  end_that_request_last,
  blk_plug_device,
  blk_run_queue,
  blk_complete_request,
  blkdev_dequeue_request,
  REQ_DONTPREP,
  type blk_done_lists,
  type request,
  type request_queue,
} from '../block/blk-core.js';
import { BLKPREP_DEFER, BLKPREP_OK, elv_next_request, elv_requeue_request } from '../block/elevator.js';
import { WRITE } from '../block/bio.js';
import { DEFER_NO_COMMAND, DEFER_NO_SENSE, DEFER_NO_SG_TABLE, GET_FAILED_CMD, scsi_get_command, scsi_put_command, type scsi_cmnd, type scsi_device, type Scsi_Host } from './scsi.js';

/**
 * The frames under scsi_next_command while a request completes in BLOCK_SOFTIRQ, outermost first:
 * where the completion's later steps (scsi_lib_ctx events) run, as in one pass of 2.6.25's
 * blk_done_softirq.
 */
const COMPLETION_ENTRY: readonly string[] = [...SOFTIRQ_ENTRY, 'blk_done_softirq', 'scsi_softirq_done', 'scsi_finish_command', 'scsi_io_completion', 'scsi_end_request'];
/** Below scsi_softirq_done, the functions down to scsi_end_request, outermost first. */
const END_REQUEST_FRAMES: readonly string[] = ['scsi_finish_command', 'scsi_io_completion', 'scsi_end_request'];

/** sgpool sizes: sgpool-8 ... sgpool-128 (SCSI_MAX_SG_SEGMENTS 128 on x86). */
export const SG_POOL_SIZES = [8, 16, 32, 64, 128] as const;
/** SG_MEMPOOL_SIZE. */
export const SG_MEMPOOL_SIZE = 2;
/** sizeof(struct scatterlist) on x86_64. */
export const SIZEOF_SCATTERLIST = 32;

/** The low-level driver: queuecommand returns 0 when accepted, non-zero when busy. */
export interface scsi_host_template {
  queuecommand(cmd: scsi_cmnd, done: (cmd: scsi_cmnd) => void): number;
}

/**
 * Modelled CPU time of completing a request in BLOCK_SOFTIRQ (not measured; of the order a 2008
 * x86_64 takes): a fixed part for the command and the request, and a part per bio ended
 * (end_swap_bio_write, end_page_writeback, bio_put into the mempools and slabs).
 */
export interface CompletionCost {
  request_ns: number;
  per_bio_ns: number;
  /**
   * End the bios one by one, per_bio_ns apart, and free the request after the last, as 2.6.25's
   * scsi_end_request does; otherwise (the default) every bio ends, and the request is freed, when
   * the completion begins, and only scsi_next_command waits for the time to pass.
   */
  one_by_one?: boolean;
}

/**
 * A request whose completion is under way on a CPU: its bios end one by one, `per_bio_ns` apart,
 * then the request is freed and scsi_next_command runs (drivers/scsi/scsi_lib.c
 * scsi_end_request, which does all of this in one softirq pass).
 */
interface completion_job {
  rq: request;
  cmd: scsi_cmnd;
  /** Whether scsi_softirq_done has begun it (unbusied the device and host, released the sg table). */
  started: boolean;
  /** When the CPU turns to it: the end of the completion before it on this CPU. */
  start_ns: number;
  /** When the next step happens: the next bio's end, or, with none left, the request's end. */
  next_ns: number;
}

/** Per-host context for the request path: sg pools, completion lists, the LLD. */
export class scsi_lib_ctx {
  /** Per CPU, with bios ended at once: commands whose scsi_next_command is still to run (FIFO). */
  readonly next_pending: scsi_cmnd[][];
  /**
   * Per CPU, with bios ended one by one: completions under way, in the order the CPU serves them.
   * at_once keeps next_pending and its one event per request instead, so that default runs keep
   * the event order (and trace hashes) they had before this option existed.
   */
  readonly completing: completion_job[][];
  /** Completion steps taken inline rather than by an event (statistics; results are the same). */
  nr_inline_steps = 0;
  /** With bios ended one by one: completions that waited for their CPU to finish an earlier one (statistics). */
  nr_waited = 0;
  /**
   * Did the last prep defer because the sg table could not be had (scsi_init_io), rather than the
   * command? For the trace's `why` only: the kernel's unprep has forgotten the command by then.
   */
  prep_sg_failed = false;
  private readonly KIND_NEXT: number;
  private readonly KIND_END: number;
  constructor(
    readonly k: Kernel,
    readonly sg_pools: mempool_t[],
    readonly done: blk_done_lists,
    readonly lld: scsi_host_template,
    readonly cost: CompletionCost = { request_ns: 0, per_bio_ns: 0 },
  ) {
    this.next_pending = Array.from({ length: k.nr_cpu_ids }, () => []);
    this.completing = Array.from({ length: k.nr_cpu_ids }, () => []);
    this.KIND_NEXT = k.sim.register('scsi_next_command', (cpu) => {
      const cmd = this.next_pending[cpu]!.shift()!;
      k.inInterrupt(cpu, () => scsi_next_command(cmd), COMPLETION_ENTRY);
    });
    this.KIND_END = k.sim.register('scsi_end_request', (cpu) => {
      k.inInterrupt(cpu, () => this.step(cpu), COMPLETION_ENTRY);
    });
  }

  /** With bios ended at once: runs scsi_next_command for `cmd` once this CPU has spent `ns` more on the completion. */
  next_after(cmd: scsi_cmnd, ns: number): void {
    const cpu = this.k.smp_processor_id();
    const end = this.k.softirq_charge(cpu, ns);
    this.next_pending[cpu]!.push(cmd);
    this.k.sim.at(end, this.KIND_NEXT, cpu);
  }

  /** Requests whose completion is under way (unbusied, not yet freed), on every CPU; those still waiting for their CPU are not unbusied yet. */
  get nr_completing(): number {
    let n = 0;
    for (const q of this.completing) for (const j of q) if (j.started) n++;
    return n;
  }

  /**
   * @kernel drivers/scsi/scsi_lib.c scsi_end_request (its start, with block/blk-core.c blk_end_io)
   * Starts the completion of `cmd`'s request on this CPU: the CPU spends cost.request_ns on the
   * command, then cost.per_bio_ns on each bio, ending it at the end of its share; the request is
   * freed and scsi_next_command runs when the last bio has ended. A CPU still busy with an earlier
   * completion starts this one after it, as blk_done_softirq runs one request's softirq_done_fn
   * to the end before the next: only then is it unbusied and its sg table released
   * (scsi_complete_begin), so the earlier one's scsi_next_command sees it still busy.
   */
  begin(cmd: scsi_cmnd, rq: request): void {
    const k = this.k;
    const cpu = k.smp_processor_id();
    const nr_bios = rq.nr_bios;
    const total = this.cost.request_ns + nr_bios * this.cost.per_bio_ns;
    const end = k.softirq_charge(cpu, total);
    const first = nr_bios > 0 ? end - (nr_bios - 1) * this.cost.per_bio_ns : end;
    const q = this.completing[cpu]!;
    const job: completion_job = { rq, cmd, started: false, start_ns: end - total, next_ns: first };
    q.push(job);
    if (q.length > 1) {
      this.nr_waited++;
      return;
    }
    if (job.start_ns <= k.sim.now) {
      scsi_complete_begin(this, job.rq);
      job.started = true;
      k.sim.at(first, this.KIND_END, cpu);
    } else k.sim.at(job.start_ns, this.KIND_END, cpu);
  }

  /**
   * @kernel block/blk-core.c __end_that_request_first, end_that_request_last (via scsi_end_request)
   * One step of this CPU's completions, in interrupt context: end the next bio, or, after the
   * last, free the request and run scsi_next_command. While nothing else could happen before the
   * next step, take it at once (Kernel.mayAdvanceInline) rather than through an event.
   */
  private step(cpu: number): void {
    const k = this.k;
    const q = this.completing[cpu]!;
    const per_bio = this.cost.per_bio_ns;
    for (;;) {
      const job = q[0]!;
      const rq = job.rq;
      if (!job.started) {
        // The CPU turns to the next request of its done list.
        scsi_complete_begin(this, rq);
        job.started = true;
      } else {
        if (rq.bio !== null) blk_end_one_bio(rq.q, rq, 0);
        if (rq.bio === null) {
          q.shift();
          end_that_request_last(rq.q, rq);
          scsi_next_command(job.cmd);
        } else {
          job.next_ns += per_bio;
        }
      }
      if (q.length === 0) return;
      const head = q[0]!;
      const t = head.started ? head.next_ns : head.start_ns;
      if (!k.mayAdvanceInline(t)) {
        k.sim.at(t, this.KIND_END, cpu);
        return;
      }
      k.sim.advanceInline(t, 1);
      this.nr_inline_steps++;
    }
  }
}

/** @kernel drivers/scsi/scsi_lib.c scsi_sgtable_index — the sgpool for a segment count (8, 16, 32, 64, 128). */
export function scsi_sgtable_index(nents: number): number {
  for (let i = 0; i < SG_POOL_SIZES.length; i++) if (nents <= SG_POOL_SIZES[i]!) return i;
  assert(false, `scsi_alloc_sgtable: ${nents} segments exceed SCSI_MAX_SG_SEGMENTS`);
}

/** @kernel drivers/scsi/scsi_lib.c scsi_alloc_sgtable — from the sgpool mempool (reserve 2), GFP_ATOMIC. */
function scsi_alloc_sgtable(ctx: scsi_lib_ctx, cmd: scsi_cmnd, nents: number, gfp_mask: number): boolean {
  const idx = scsi_sgtable_index(nents);
  // Atomic context: the first round of mempool_alloc is all of it (no __GFP_WAIT, no sleeping).
  if (gfp_mask & __GFP_WAIT) fail('scsi_alloc_sgtable: gfp 0x', gfp_mask.toString(16), ' may sleep in atomic context');
  const sg = mempool_alloc_first(ctx.sg_pools[idx]!, gfp_mask);
  if (!sg) return false;
  cmd.sg_obj = sg;
  cmd.sg_pool = idx;
  return true;
}

/** @kernel drivers/scsi/scsi_lib.c scsi_free_sgtable / scsi_release_buffers */
function scsi_release_buffers(ctx: scsi_lib_ctx, cmd: scsi_cmnd): void {
  if (cmd.sg_pool >= 0) {
    mempool_free(cmd.sg_obj, ctx.sg_pools[cmd.sg_pool]!);
    cmd.sg_obj = 0;
    cmd.sg_pool = -1;
  }
}

/** @kernel drivers/scsi/scsi_lib.c scsi_unprep_request — forget the command and put it back. */
function scsi_unprep_request(req: request): void {
  const cmd = req.special as scsi_cmnd;
  req.cmd_flags &= ~REQ_DONTPREP;
  req.special = null;
  scsi_put_command(cmd);
}

/** @kernel drivers/scsi/scsi_lib.c scsi_get_cmd_from_req — a command for the request, GFP_ATOMIC. */
function scsi_get_cmd_from_req(sdev: scsi_device, req: request): scsi_cmnd | null {
  let cmd = req.special as scsi_cmnd | null;
  if (cmd === null) {
    cmd = scsi_get_command(sdev, GFP_ATOMIC);
    if (cmd === null) return null;
    req.special = cmd;
  }
  cmd.tag = req.id;
  cmd.request = req;
  return cmd;
}

/** @kernel drivers/scsi/scsi_lib.c scsi_init_io — build the scatterlist; failure unpreps and defers. */
function scsi_init_io(ctx: scsi_lib_ctx, cmd: scsi_cmnd, gfp_mask: number): number {
  const req = cmd.request!;
  if (!scsi_alloc_sgtable(ctx, cmd, req.nr_phys_segments, gfp_mask)) {
    scsi_release_buffers(ctx, cmd);
    scsi_unprep_request(req);
    ctx.k.mark('sgtable_defer');
    ctx.prep_sg_failed = true;
    return BLKPREP_DEFER;
  }
  return BLKPREP_OK;
}

/** @kernel drivers/scsi/scsi_lib.c scsi_setup_fs_cmnd — command, then sg table; NULL command means DEFER. */
function scsi_setup_fs_cmnd(ctx: scsi_lib_ctx, sdev: scsi_device, req: request): number {
  ctx.prep_sg_failed = false;
  const cmd = scsi_get_cmd_from_req(sdev, req);
  if (cmd === null) return BLKPREP_DEFER;
  return scsi_init_io(ctx, cmd, GFP_ATOMIC);
}

/**
 * @kernel drivers/scsi/scsi_lib.c scsi_prep_return
 * DEFER with nothing in flight plugs the queue: no completion will come to run it again, so the
 * unplug timer must. OK marks the request prepared (REQ_DONTPREP). `sg_failed` (not a kernel
 * argument) only names the cause in the scsi_prep_defer trace.
 */
function scsi_prep_return(q: request_queue, req: request, ret: number, sg_failed: boolean): number {
  const sdev = q.queuedata as scsi_device;
  if (ret === BLKPREP_DEFER) {
    sdev.stat.defers++;
    sdev.stat.last_defer_ns = q.k.now;
    sdev.stat.last_defer_cause = sg_failed ? DEFER_NO_SG_TABLE : sdev.host.stat.last_get_failure === GET_FAILED_CMD ? DEFER_NO_COMMAND : DEFER_NO_SENSE;
    const plug = sdev.device_busy === 0;
    if (plug) {
      sdev.stat.defers_plugged++;
      q.k.mark('defer_device_busy_0');
      blk_plug_device(q);
    }
    if (q.k.trace.on[TP.scsi_prep_defer]) q.k.tp(TP.scsi_prep_defer, sdev.host.host_no, sdev.device_busy, plug ? 1 : 0, sg_failed ? 'no sg table' : 'no command');
  } else if (ret === BLKPREP_OK) {
    req.cmd_flags |= REQ_DONTPREP;
  }
  return ret;
}

/** @kernel drivers/scsi/sd.c sd_prep_fn — for a swap write: scsi_setup_fs_cmnd, build the CDB, scsi_prep_return. */
export function sd_prep_fn(ctx: scsi_lib_ctx, q: request_queue, rq: request): number {
  const sdev = q.queuedata as scsi_device;
  const t = ctx.k.current;
  t.enter('sd_prep_fn');
  t.enter('scsi_setup_fs_cmnd');
  const ret = scsi_setup_fs_cmnd(ctx, sdev, rq);
  t.leave();
  const r = scsi_prep_return(q, rq, ret, ctx.prep_sg_failed);
  t.leave();
  return r;
}

/** @kernel drivers/scsi/scsi_lib.c scsi_dev_queue_ready */
function scsi_dev_queue_ready(q: request_queue, sdev: scsi_device): boolean {
  if (sdev.device_busy >= sdev.queue_depth) return false;
  if (sdev.device_busy === 0 && sdev.device_blocked) {
    if (--sdev.device_blocked === 0) {
      // unblocked
    } else {
      blk_plug_device(q);
      return false;
    }
  }
  if (sdev.device_blocked) return false;
  return true;
}

/** @kernel drivers/scsi/scsi_lib.c scsi_host_queue_ready — at can_queue the device joins the starved list. */
function scsi_host_queue_ready(q: request_queue, shost: Scsi_Host, sdev: scsi_device): boolean {
  if (shost.host_busy === 0 && shost.host_blocked) {
    if (--shost.host_blocked !== 0) {
      blk_plug_device(q);
      return false;
    }
  }
  if ((shost.can_queue > 0 && shost.host_busy >= shost.can_queue) || shost.host_blocked) {
    if (!shost.starved_list.includes(sdev)) shost.starved_list.push(sdev);
    return false;
  }
  const i = shost.starved_list.indexOf(sdev);
  if (i >= 0) shost.starved_list.splice(i, 1);
  return true;
}

/**
 * @kernel drivers/scsi/scsi_lib.c scsi_request_fn
 * While the queue is not plugged: take the next prepared request (prep may DEFER: stop), check the
 * device and host limits, dequeue it, count it busy and dispatch it to the driver.
 */
export function scsi_request_fn(ctx: scsi_lib_ctx, q: request_queue): void {
  const k = ctx.k;
  k.current.enter('scsi_request_fn');
  scsi_request_fn_body(ctx, q);
  k.current.leave();
}

function scsi_request_fn_body(ctx: scsi_lib_ctx, q: request_queue): void {
  const sdev = q.queuedata as scsi_device;
  const shost = sdev.host;
  const k = ctx.k;
  while (!q.plugged) {
    k.current.enter('elv_next_request');
    const req = elv_next_request(q);
    k.current.leave();
    if (req === null || !scsi_dev_queue_ready(q, sdev)) break;
    blkdev_dequeue_request(q, req);
    sdev.device_busy++;
    if (!scsi_host_queue_ready(q, shost, sdev)) {
      // not_ready: requeue, undo the busy count, plug if idle.
      elv_requeue_request(q, req);
      sdev.device_busy--;
      if (sdev.device_busy === 0) blk_plug_device(q);
      break;
    }
    shost.host_busy++;
    const cmd = req.special as scsi_cmnd;
    if (sdev.device_busy > sdev.stat.max_device_busy) sdev.stat.max_device_busy = sdev.device_busy;
    sdev.stat.dispatched++;
    if (cmd.fromFreeList) {
      sdev.stat.dispatched_one_at_a_time++;
      sdev.stat.free_list_in_flight++;
    }
    if (sdev.stat.free_list_in_flight > 0 && sdev.device_busy > sdev.stat.max_device_busy_free_list) sdev.stat.max_device_busy_free_list = sdev.device_busy;
    cmd.dispatched_ns = k.now;
    if (k.trace.on[TP.scsi_dispatch_cmd_start]) k.tp(TP.scsi_dispatch_cmd_start, shost.host_no, 0, 0, 0, req.nr_phys_segments, req.rw === WRITE ? 'WRITE_10' : 'READ_10', cmd.tag, cmd.fromFreeList ? 1 : 0);
    const rtn = scsi_dispatch_cmd(ctx, cmd);
    if (rtn) {
      if (sdev.device_busy === 0) blk_plug_device(q);
      break;
    }
  }
}

/** include/scsi/scsi.h: queuecommand's answers when it cannot take a command now. */
export const SCSI_MLQUEUE_HOST_BUSY = 0x1055;
export const SCSI_MLQUEUE_DEVICE_BUSY = 0x1056;

/**
 * @kernel drivers/scsi/scsi.c scsi_dispatch_cmd
 * Hand the command to the LLD's queuecommand; a refusal puts it back through scsi_queue_insert
 * (as a device-busy refusal if the LLD said so, else host-busy). Not modelled: the command timer
 * (no command ever times out) and the device-blocked check before queuecommand (scsi_request_fn
 * has just checked it).
 */
function scsi_dispatch_cmd(ctx: scsi_lib_ctx, cmd: scsi_cmnd): number {
  const rtn = ctx.lld.queuecommand(cmd, (c) => scsi_done(ctx, c));
  if (rtn) scsi_queue_insert(cmd, rtn === SCSI_MLQUEUE_DEVICE_BUSY ? rtn : SCSI_MLQUEUE_HOST_BUSY);
  return rtn;
}

/**
 * @kernel drivers/scsi/scsi_lib.c scsi_queue_insert
 * A command the LLD refused: block the host or the device for max_host_blocked or
 * max_device_blocked queue runs with nothing in flight, unbusy it, requeue its request at the head
 * of the dispatch list (still prepared, command attached) and run the queue, which from inside
 * request_fn plugs it and hands it to kblockd.
 */
function scsi_queue_insert(cmd: scsi_cmnd, reason: number): void {
  const sdev = cmd.device!;
  const shost = sdev.host;
  const q = sdev.request_queue!;
  if (reason === SCSI_MLQUEUE_HOST_BUSY) shost.host_blocked = shost.max_host_blocked;
  else if (reason === SCSI_MLQUEUE_DEVICE_BUSY) sdev.device_blocked = sdev.max_device_blocked;
  // The dispatch did not happen: take it out of the dispatch counts again.
  sdev.stat.dispatched--;
  if (cmd.fromFreeList) {
    sdev.stat.dispatched_one_at_a_time--;
    sdev.stat.free_list_in_flight--;
  }
  scsi_device_unbusy(sdev);
  elv_requeue_request(q, cmd.request!);
  scsi_run_queue(q);
}

/** @kernel drivers/scsi/scsi.c scsi_done (__scsi_done) — complete through the block softirq. */
export function scsi_done(ctx: scsi_lib_ctx, cmd: scsi_cmnd): void {
  blk_complete_request(ctx.k, ctx.done, cmd.request!);
}

/** @kernel drivers/scsi/scsi_lib.c scsi_device_unbusy */
function scsi_device_unbusy(sdev: scsi_device): void {
  sdev.host.host_busy--;
  sdev.device_busy--;
}

/**
 * @kernel drivers/scsi/scsi_lib.c scsi_run_queue
 * Give starved devices of this host a turn while the host has room, then run this queue. Every
 * starved device's queue runs, this device's own included (it then runs twice); when this queue is
 * already inside its request_fn, a starved queue is marked as re-entered first, so that
 * blk_run_queue hands it to kblockd instead of recursing. A device that lands back on the starved
 * list ends the loop (it lost a race for the host). No single_lun targets.
 */
function scsi_run_queue(q: request_queue): void {
  const sdev = q.queuedata as scsi_device;
  const shost = sdev.host;
  const t = q.k.current;
  t.enter('scsi_run_queue');
  while (shost.starved_list.length > 0 && !shost.host_blocked && !(shost.can_queue > 0 && shost.host_busy >= shost.can_queue)) {
    const s = shost.starved_list.shift()!;
    const sq = s.request_queue;
    if (sq !== null) {
      if (q.reenter && !sq.reenter) {
        sq.reenter = true;
        blk_run_queue(sq);
        sq.reenter = false;
      } else {
        blk_run_queue(sq);
      }
    }
    if (shost.starved_list.includes(s)) break;
  }
  blk_run_queue(q);
  t.leave();
}

/** @kernel drivers/scsi/scsi_lib.c scsi_next_command — put the command back (free-list refill), then run the queue. */
function scsi_next_command(cmd: scsi_cmnd): void {
  const q = cmd.device!.request_queue!;
  const t = q.k.current;
  t.enter('scsi_next_command');
  scsi_put_command(cmd);
  scsi_run_queue(q);
  t.leave();
}

/**
 * @kernel drivers/scsi/scsi.c scsi_finish_command (its start, with scsi_io_completion's release of the sg table)
 * The first steps of a request's completion: unbusy the device and host, clear their blocked
 * counts, release the sg table, and (blk_end_request_begin) begin ending the request. `cmd` stays
 * in `rq.special` only until here.
 */
function scsi_complete_begin(ctx: scsi_lib_ctx, rq: request): void {
  const cmd = rq.special as scsi_cmnd;
  const sdev = cmd.device!;
  const k = ctx.k;
  if (k.trace.on[TP.scsi_dispatch_cmd_done]) k.tp(TP.scsi_dispatch_cmd_done, sdev.host.host_no, 0, 0, 0, 0, cmd.tag);
  scsi_device_unbusy(sdev);
  if (cmd.fromFreeList) sdev.stat.free_list_in_flight--;
  sdev.device_blocked = 0;
  sdev.host.host_blocked = 0;
  scsi_release_buffers(ctx, cmd);
  rq.special = null;
  if (ctx.cost.one_by_one === true && ctx.cost.request_ns + rq.nr_bios * ctx.cost.per_bio_ns > 0) blk_end_request_begin(rq.q, rq, 0);
}

/**
 * @kernel drivers/scsi/scsi_lib.c scsi_softirq_done (with drivers/scsi/scsi.c scsi_finish_command, and scsi_io_completion and scsi_end_request of scsi_lib.c)
 * In BLOCK_SOFTIRQ: unbusy the device and host, clear their blocked counts, release the sg table,
 * then end the request's bios in order, free the request after the last, and run
 * scsi_next_command, as scsi_end_request does.
 *
 * The completion takes CPU time (ctx.cost). Meanwhile this CPU runs no task, but the reclaimers
 * that a bio's mempool_free woke run on the other CPUs and allocate bios from the slots just freed,
 * before the next prep's GFP_ATOMIC sense allocation: the race in which, in the patch's words,
 * "bios above are liable to gobble up all the slots needed for scsi_cmnd sense_buffers below".
 * By default (simplified) every bio ends, and the request is freed, when the completion begins,
 * and scsi_next_command runs when the time has passed. With cost.one_by_one, as 2.6.25: the
 * command's share first, then each bio's, each bio ending at the end of its share (scsi_lib_ctx
 * begin and step), the request freed after the last. With zero cost the completion is atomic and
 * the prep always comes first.
 */
export function scsi_softirq_done(ctx: scsi_lib_ctx, rq: request): void {
  const cmd = rq.special as scsi_cmnd;
  const k = ctx.k;
  const ns = ctx.cost.request_ns + rq.nr_bios * ctx.cost.per_bio_ns;
  if (ns > 0 && ctx.cost.one_by_one === true) {
    // The CPU may still be busy with an earlier request of its done list: begin() starts this
    // one (scsi_complete_begin) when the CPU turns to it.
    ctx.begin(cmd, rq);
    return;
  }
  scsi_complete_begin(ctx, rq);
  const t = k.current;
  t.enter('scsi_softirq_done');
  for (const f of END_REQUEST_FRAMES) t.enter(f);
  blk_end_request(rq.q, rq, 0);
  if (ns > 0) ctx.next_after(cmd, ns);
  else scsi_next_command(cmd);
  t.frames.length -= 1 + END_REQUEST_FRAMES.length;
}
