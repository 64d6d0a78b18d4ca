/**
 * SCSI hosts, devices and the command pool with its one-command free list.
 *
 * Mirrors: drivers/scsi/scsi.c (struct scsi_host_cmd_pool, __scsi_get_command, scsi_get_command,
 * __scsi_put_command, scsi_put_command, scsi_setup_command_freelist) and include/scsi/scsi_cmnd.h,
 * v2.6.25-rc8 (the bug), v2.6.25 (Hugh Dickins' fix, commit 164fc5dcd6a1) and v2.6.24 (sense
 * buffer inside scsi_cmnd).
 *
 * The free list holds at most one command, set up with a sense buffer at host allocation and
 * refilled by whichever command is put while it is empty. The one behavioural difference between
 * the profiles is a single branch in __scsi_get_command: on rc8 a failed sense allocation returns
 * NULL without looking at the free list; the fix falls back to the free list on any failure.
 *
 * Layouts (`cmdLayout`): 'split' (2.6.25: cmd cache + sense cache, which SLUB merges into
 * kmalloc-128 unless it has a ctor), 'embedded' (2.6.24: a 96-byte array inside the command),
 * 'single-cache' (the alternative the patch discusses: the sense buffer at a cache-line-aligned
 * offset after scsi_cmnd in one cache). Called under the queue lock or at host allocation; never
 * sleeps (GFP_ATOMIC on the I/O path).
 */
import { assert } from '../sim/assert.js';
import type { Kernel } from '../kernel/kernel.js';
import { __GFP_DMA } from '../include/gfp.js';
import { kmem_cache_alloc, kmem_cache_free, type kmem_cache } from '../mm/slub.js';
import type { request, request_queue } from '../block/blk-core.js';

/** SCSI_SENSE_BUFFERSIZE. */
export const SCSI_SENSE_BUFFERSIZE = 96;
/** sizeof(struct scsi_cmnd) on x86_64 with a sense pointer (2.6.25): 288, or 320 with CONFIG_TIMER_STATS. */
export function sizeof_scsi_cmnd_2_6_25(timer_stats: boolean): number {
  return timer_stats ? 320 : 288;
}
/** sizeof(struct scsi_cmnd) in 2.6.24 with the embedded 96-byte sense array: 368, or 400 with TIMER_STATS. */
export function sizeof_scsi_cmnd_2_6_24(timer_stats: boolean): number {
  return timer_stats ? 400 : 368;
}

export type CmdLayout = 'split' | 'embedded' | 'single-cache';
/** Which __scsi_get_command: rc1..rc8 (buggy) or the fixed one (2.6.25 final, and 2.6.24's simpler form). */
export type GetCommandVersion = 'rc8' | 'fixed';

export class scsi_cmnd {
  /** Slab object of the command. */
  obj = 0;
  /** Slab object of the sense buffer (split layout), or 0 when the buffer is inside the command. */
  sense_buffer = 0;
  request: request | null = null;
  device: scsi_device | null = null;
  /** The scatterlist's mempool element and its sgpool index. */
  sg_obj = 0;
  sg_pool = -1;
  tag = -1;
  /** Did this command come from the host's free list? (statistics) */
  fromFreeList = false;
  dispatched_ns = 0;
  /** Is this command currently handed out (between get and put)? */
  inUse = false;
}

export class scsi_host_cmd_pool {
  users = 0;
  cmd_slab: kmem_cache | null = null;
  sense_slab: kmem_cache | null = null;
  constructor(
    readonly cmd_name: string,
    readonly sense_name: string,
    readonly slab_flags: number,
    readonly gfp_mask: number,
  ) {}
}

/** Scsi_Host.stat.last_get_failure: the sense buffer's allocation failed (the command's succeeded). */
export const GET_FAILED_SENSE = 1;
/** Scsi_Host.stat.last_get_failure: the command's own allocation failed. */
export const GET_FAILED_CMD = 2;

/** scsi_device.stat.last_defer_cause: no command, because its sense buffer could not be allocated. */
export const DEFER_NO_SENSE = 1;
/** scsi_device.stat.last_defer_cause: no command, because the command object could not be allocated. */
export const DEFER_NO_COMMAND = 2;
/** scsi_device.stat.last_defer_cause: a command, but no scatterlist from the sgpool mempool. */
export const DEFER_NO_SG_TABLE = 3;

export class Scsi_Host {
  readonly free_list: scsi_cmnd[] = [];
  host_busy = 0;
  host_blocked = 0;
  max_host_blocked = 7;
  readonly starved_list: scsi_device[] = [];
  /**
   * Statistics (not kernel fields). `last_get_failure` is what the last __scsi_get_command that
   * returned NULL failed to allocate (GET_FAILED_SENSE or GET_FAILED_CMD; 0 before the first);
   * `last_free_list_use_ns` when the free-list command was last taken, `first_sense_failure_ns`
   * when a sense-buffer allocation first failed (-1: never).
   */
  readonly stat = { free_list_uses: 0, get_failures: 0, sense_failures: 0, cmd_failures: 0, commands: 0, last_get_failure: 0, last_free_list_use_ns: -1, first_sense_failure_ns: -1 };
  constructor(
    readonly k: Kernel,
    readonly host_no: number,
    public can_queue: number,
    public cmd_per_lun: number,
    public sg_tablesize: number,
    public max_sectors: number,
    readonly cmd_pool: scsi_host_cmd_pool,
    public version: GetCommandVersion,
    readonly layout: CmdLayout,
  ) {
    assert(can_queue > 0, 'can_queue == 0 is rejected by scsi_host_alloc');
  }
}

export class scsi_device {
  device_busy = 0;
  device_blocked = 0;
  max_device_blocked = 3;
  queue_depth: number;
  request_queue: request_queue | null = null;
  /** Commands handed out and not yet put (sdev->cmd_list). */
  readonly cmd_list = new Set<scsi_cmnd>();
  /** Statistics: DEFERs from prep, and how many of them plugged (device_busy == 0). */
  readonly stat = {
    defers: 0,
    defers_plugged: 0,
    max_device_busy: 0,
    dispatched: 0,
    /** Dispatches of the host's free-list command. */
    dispatched_one_at_a_time: 0,
    /** Free-list commands dispatched and not yet completed (0 or 1). */
    free_list_in_flight: 0,
    /** Highest device_busy seen at a dispatch while a free-list command was in flight (0: never). */
    max_device_busy_free_list: 0,
    /** When prep last deferred (ns; -1: never), and why (DEFER_NO_SENSE, DEFER_NO_COMMAND, DEFER_NO_SG_TABLE). */
    last_defer_ns: -1,
    last_defer_cause: 0,
  };
  constructor(
    readonly host: Scsi_Host,
    queue_depth: number,
  ) {
    this.queue_depth = queue_depth;
  }
}

function attach_sense(shost: Scsi_Host, cmd: scsi_cmnd, gfp: number): boolean {
  const pool = shost.cmd_pool;
  if (pool.sense_slab === null) return true; // sense buffer is part of the command object
  const buf = kmem_cache_alloc(pool.sense_slab, gfp | pool.gfp_mask);
  if (!buf) return false;
  cmd.sense_buffer = buf;
  return true;
}

function take_free_list(shost: Scsi_Host): scsi_cmnd | null {
  const cmd = shost.free_list.shift() ?? null;
  if (cmd !== null) {
    // The reserved command always owns its sense buffer; only the rest of it is reset.
    cmd.fromFreeList = true;
    shost.stat.free_list_uses++;
    shost.stat.last_free_list_use_ns = shost.k.now;
    shost.k.mark('free_list_used');
  }
  return cmd;
}

/**
 * @kernel drivers/scsi/scsi.c __scsi_get_command (v2.6.25-rc8 and v2.6.25)
 * A command from the pool's cmd cache, then (split layout) its sense buffer from the sense cache;
 * a failed sense allocation frees the command again. Then any failure falls back to the host's
 * free list, which is sure to hold a command with a sense buffer whenever no command of this host
 * is outstanding. The one difference of rc1..rc8: a failed SENSE allocation returns NULL without
 * looking at the free list (only a failed command allocation falls back).
 */
export function __scsi_get_command(shost: Scsi_Host, gfp_mask: number): scsi_cmnd | null {
  const t = shost.k.current;
  t.enter('__scsi_get_command');
  const cmd = __scsi_get_command_body(shost, gfp_mask);
  t.leave();
  return cmd;
}

function __scsi_get_command_body(shost: Scsi_Host, gfp_mask: number): scsi_cmnd | null {
  const pool = shost.cmd_pool;
  let cmd: scsi_cmnd | null = null;
  let failed = GET_FAILED_CMD;
  const obj = kmem_cache_alloc(pool.cmd_slab!, gfp_mask | pool.gfp_mask);
  if (!obj) {
    shost.stat.cmd_failures++;
  } else {
    cmd = new scsi_cmnd();
    cmd.obj = obj;
    if (!attach_sense(shost, cmd, gfp_mask)) {
      if (shost.stat.sense_failures++ === 0) shost.stat.first_sense_failure_ns = shost.k.now;
      kmem_cache_free(pool.cmd_slab!, obj);
      cmd = null;
      failed = GET_FAILED_SENSE;
      if (shost.version === 'rc8') {
        // The rc8 bug: this path gives up without consulting the free list.
        shost.k.mark('rc8_sense_fail_no_fallback');
        shost.stat.get_failures++;
        shost.stat.last_get_failure = failed;
        return null;
      }
    }
  }
  if (cmd === null) cmd = take_free_list(shost);
  if (cmd === null) {
    shost.stat.get_failures++;
    shost.stat.last_get_failure = failed;
    return null;
  }
  cmd.inUse = true;
  shost.stat.commands++;
  return cmd;
}

/**
 * Not kernel code: the simulator's what-if behind the scenario field live_patch.at. It swaps rc8's
 * __scsi_get_command for the fixed one in a running machine, as a livepatch module would (2.6.25
 * had no livepatch). Only the function changes: the caches stay as booted, merged or not, and the
 * free list keeps the command it was given at host allocation. Returns false when the host
 * already had the fixed function (2.6.25, 2.6.24, or an earlier patch).
 */
export function scsi_live_patch_get_command(shost: Scsi_Host): boolean {
  if (shost.version === 'fixed') return false;
  shost.version = 'fixed';
  return true;
}

/** @kernel drivers/scsi/scsi.c scsi_get_command — __scsi_get_command plus linking onto sdev->cmd_list. */
export function scsi_get_command(sdev: scsi_device, gfp_mask: number): scsi_cmnd | null {
  const t = sdev.host.k.current;
  t.enter('scsi_get_command');
  const cmd = __scsi_get_command(sdev.host, gfp_mask);
  t.leave();
  if (cmd !== null) {
    cmd.device = sdev;
    sdev.cmd_list.add(cmd);
  }
  return cmd;
}

/**
 * @kernel drivers/scsi/scsi.c __scsi_put_command
 * If the free list is empty the command refills it (whatever its origin); otherwise its sense
 * buffer and the command go back to their caches.
 */
export function __scsi_put_command(shost: Scsi_Host, cmd: scsi_cmnd): void {
  assert(cmd.inUse, 'scsi_put_command of a command not in use');
  cmd.inUse = false;
  cmd.request = null;
  cmd.device = null;
  cmd.fromFreeList = false;
  if (shost.free_list.length === 0) {
    shost.free_list.push(cmd);
    return;
  }
  const pool = shost.cmd_pool;
  if (pool.sense_slab !== null) kmem_cache_free(pool.sense_slab, cmd.sense_buffer);
  kmem_cache_free(pool.cmd_slab!, cmd.obj);
  cmd.obj = cmd.sense_buffer = 0;
}

/** @kernel drivers/scsi/scsi.c scsi_put_command — unlink from sdev->cmd_list, then __scsi_put_command. */
export function scsi_put_command(cmd: scsi_cmnd): void {
  const sdev = cmd.device;
  assert(sdev !== null && sdev.cmd_list.delete(cmd), 'scsi_put_command: command not on a cmd_list');
  __scsi_put_command(sdev.host, cmd);
}

/**
 * @kernel drivers/scsi/scsi.c scsi_setup_command_freelist
 * Allocates exactly one backup command (with its sense buffer) with GFP_KERNEL and puts it on the
 * host's free list. The caches themselves are created by the caller (see scsi_host_cmd_pool users).
 */
export function scsi_setup_command_freelist(shost: Scsi_Host, gfp_kernel: number): void {
  const pool = shost.cmd_pool;
  pool.users++;
  const cmd = new scsi_cmnd();
  cmd.obj = kmem_cache_alloc(pool.cmd_slab!, gfp_kernel | pool.gfp_mask);
  assert(cmd.obj, 'scsi_setup_command_freelist: no memory for the backup command at boot');
  if (pool.sense_slab !== null) {
    cmd.sense_buffer = kmem_cache_alloc(pool.sense_slab, gfp_kernel | pool.gfp_mask);
    assert(cmd.sense_buffer, 'scsi_setup_command_freelist: no memory for the backup sense buffer at boot');
  }
  shost.free_list.push(cmd);
}

/** @kernel drivers/scsi/scsi.c scsi_setup_command_freelist (pool choice) — the DMA pool if unchecked_isa_dma. */
export function scsi_pool_for(unchecked_isa_dma: boolean, HWCACHE: number, CACHE_DMA: number): scsi_host_cmd_pool {
  return unchecked_isa_dma
    ? new scsi_host_cmd_pool('scsi_cmd_cache(DMA)', 'scsi_sense_cache(DMA)', HWCACHE | CACHE_DMA, __GFP_DMA)
    : new scsi_host_cmd_pool('scsi_cmd_cache', 'scsi_sense_cache', HWCACHE, 0);
}
