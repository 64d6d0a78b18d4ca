/**
 * Conservation invariants of the model, checked after events (an observer: reads, never writes).
 *
 * Each invariant restates a guarantee the kernel relies on, in our words:
 * - pages: every page frame is in exactly one use (free, slab, page cache, swap cache, ...);
 *   free pages are the buddy lists plus the per-CPU lists; NR_FREE_PAGES counts the buddy lists;
 *   every free list holds blocks of its order and migrate type ('full').
 * - slab: objects in use equal allocations minus frees, per cache and per alias; partial lists
 *   hold no frozen slab.
 * - mempool: 0 <= curr_nr <= min_nr and every reserved element is a live slab object (mempool_free
 *   only refills a pool that is below min_nr, so a reserve never overflows).
 *   (The element check is in 'full'; the bio and request pools are slab-backed.)
 * - requests: every allocated request is in the elevator, on the dispatch list, in flight, or held
 *   by a task that is still allocating it; requests in flight equal device_busy (plus those whose
 *   completion is under way) equal host_busy;
 *   deadline's sort lists and FIFOs hold the same requests, in order ('full').
 * - commands: the host's free list holds at most one command; commands in use are those on the
 *   device's cmd_list, which includes every dispatched one.
 * - radix tree ('full'): every swap-cache node's count equals its slots in use, no empty node is
 *   kept, and the radix_tree_node objects alive are the nodes in trees (swap cache and tmpfs
 *   files) plus the per-CPU preloads.
 * - LRU ('full'): each zone's active and inactive lists are linked both ways, every page on them has
 *   PG_lru, PG_active exactly on the active list, and their lengths equal NR_ACTIVE and NR_INACTIVE.
 * - tmpfs mappings ('full'): every page-cache page that names a file names a live page_tree in
 *   VmState.mappings, and every tree there is named by at least one page.
 * - bios: bios freed never exceed bios allocated; pages under writeback equal swap bios submitted
 *   minus swap bios completed (each swap bio carries one page and completes exactly once).
 *
 * Levels: 'cheap' runs the O(1) counter checks after every event; 'full' also walks the slab
 * caches, the page-use counts and the LRU lists after every event (slow: for tests and debugging),
 * or, with an interval (checks.full_interval), at the first event of each interval of simulated
 * time and once more at the end of the run: whole-state checks a sweep of flagship-sized runs can
 * afford, with the O(1) checks still after every event.
 */
import type { Kernel } from '../kernel/kernel.js';
import { NR_WRITEBACK, PSWPOUT } from '../mm/page_alloc.js';
import { radix_tree_check, type radix_tree_ctx, type radix_tree_root } from '../mm/radix-tree.js';
import { lru_check, type lru_lists } from '../mm/swap.js';
import { mapping_check, swap_refs_check } from '../mm/shmem.js';
import { elevator_check, type elevator_queue } from '../block/elevator.js';

/** A broken invariant: a safety violation of the model (exit code 4), not a simulator assertion. */
export class InvariantViolation extends Error {
  constructor(
    readonly invariant: string,
    readonly detail: string,
    readonly timeNs: number,
    readonly event: number,
  ) {
    super(`invariant ${invariant} violated at event ${event} (t=${timeNs}ns): ${detail}`);
    this.name = 'InvariantViolation';
  }
}

export type CheckLevel = 'off' | 'cheap' | 'full';

/** The read-only views of a machine the invariants need (structurally satisfied by scenario/machine.ts). */
export interface InvariantView {
  k: Kernel;
  pa: { vm_stat: Float64Array; vm_events: Float64Array; check_conservation(): void; check_free_lists(): void; max_pfn: number };
  slub: { caches: readonly { name: string }[]; check_cache(s: never): void; is_allocated(id: number): boolean };
  q: { rq: { count: number[] }; in_flight: number; queue_head: readonly unknown[]; elevator: elevator_queue };
  shost: { free_list: readonly unknown[]; host_busy: number };
  sdev: { device_busy: number; cmd_list: { size: number } };
  scsi: { nr_completing: number };
  fs_bio_set: { allocated: number; freed: number; ended: number };
  vm: { events: { swap_writes_completed: number }; swapper_space: radix_tree_root; radix: radix_tree_ctx | null; lru: lru_lists } & Parameters<typeof mapping_check>[0] & Parameters<typeof swap_refs_check>[0];
  pools: { bio: PoolView; bvec: readonly PoolView[]; request: PoolView; sg: readonly PoolView[] };
}

interface PoolView {
  name: string;
  curr_nr: number;
  min_nr: number;
  elements: readonly number[];
}


export class InvariantChecker {
  checks = 0;
  /** Whole-state checks run (level 'full'). */
  fullChecks = 0;
  /** Every mempool checked, listed once (the cheap check runs after every event). */
  private readonly pools: readonly PoolView[];
  /** With an interval: the start of the next interval of simulated time, ns (the first event at or after it runs the full checks). */
  private nextFullNs = 0;
  constructor(
    private readonly m: InvariantView,
    readonly level: CheckLevel,
    /** Level 'full': run the whole-state checks once per this much simulated time, ns (0: after every event). */
    readonly fullIntervalNs = 0,
  ) {
    this.pools = [m.pools.bio, m.pools.request, ...m.pools.bvec, ...m.pools.sg];
  }

  private fail(name: string, detail: string): never {
    throw new InvariantViolation(name, detail, this.m.k.now, this.m.k.sim.events);
  }

  /** Runs the checks of this level. */
  check(): void {
    if (this.level === 'off') return;
    this.checks++;
    const m = this.m;
    const wb = m.pa.vm_stat[NR_WRITEBACK]!;
    const inflightSwap = m.pa.vm_events[PSWPOUT]! - m.vm.events.swap_writes_completed;
    if (wb !== inflightSwap) this.fail('writeback-pages', `NR_WRITEBACK ${wb} but ${inflightSwap} swap bios submitted and not completed`);
    const bs = m.fs_bio_set;
    if (bs.freed > bs.allocated || bs.ended > bs.allocated) this.fail('bio-lifetime', `bios allocated ${bs.allocated}, freed ${bs.freed}, completed ${bs.ended}`);
    const q = m.q;
    const placed = q.elevator.nr_sorted + q.queue_head.length + q.in_flight;
    const allocated = q.rq.count[0]! + q.rq.count[1]!;
    if (placed > allocated) this.fail('request-accounting', `${placed} requests queued or in flight but only ${allocated} allocated`);
    // The elevator counts a request in flight until end_that_request_last; the device and host
    // stop counting it when its completion begins (scsi_device_unbusy).
    const completing = m.scsi.nr_completing;
    if (q.in_flight !== m.sdev.device_busy + completing || m.sdev.device_busy !== m.shost.host_busy) this.fail('busy-accounting', `in_flight ${q.in_flight}, device_busy ${m.sdev.device_busy}, host_busy ${m.shost.host_busy}, ${completing} completing`);
    if (m.shost.free_list.length > 1) this.fail('free-list', `free list holds ${m.shost.free_list.length} commands`);
    if (m.sdev.cmd_list.size < m.sdev.device_busy) this.fail('command-accounting', `${m.sdev.device_busy} commands dispatched but ${m.sdev.cmd_list.size} in use`);
    for (const p of this.pools) {
      if (p.curr_nr < 0 || p.curr_nr > p.min_nr) this.fail('mempool-reserve', `${p.name}: curr_nr ${p.curr_nr}, min_nr ${p.min_nr}`);
    }
    if (this.level !== 'full') return;
    if (this.fullIntervalNs > 0) {
      const now = m.k.now;
      if (now < this.nextFullNs) return;
      this.nextFullNs = (Math.floor(now / this.fullIntervalNs) + 1) * this.fullIntervalNs;
    }
    this.checkFull();
  }

  /** The whole-state checks of level 'full' (whatever the level): every pool, page, list, tree and slab. */
  checkFull(): void {
    this.fullChecks++;
    const m = this.m;
    for (const p of this.pools) {
      // elements[0..curr_nr) is the reserve; the slots above it are empty (0).
      for (let i = 0; i < p.min_nr; i++) {
        const e = p.elements[i]!;
        if (i < p.curr_nr ? e === 0 || !m.slub.is_allocated(e) : e !== 0) this.fail('mempool-elements', `${p.name}: slot ${i} holds ${e} with curr_nr ${p.curr_nr}`);
      }
    }
    try {
      m.pa.check_conservation();
      m.pa.check_free_lists();
    } catch (e) {
      this.fail('page-conservation', e instanceof Error ? e.message : String(e));
    }
    const lru = lru_check(m.vm.lru);
    if (lru !== null) this.fail('lru-lists', lru);
    const mappings = mapping_check(m.vm);
    if (mappings !== null) this.fail('tmpfs-mappings', mappings);
    const swapRefs = swap_refs_check(m.vm);
    if (swapRefs !== null) this.fail('swap-slots', swapRefs);
    const elv = elevator_check(m.q.elevator);
    if (elv !== null) this.fail('elevator', elv);
    if (m.vm.radix !== null) {
      try {
        radix_tree_check(m.vm.swapper_space);
      } catch (e) {
        this.fail('radix-tree', e instanceof Error ? e.message : String(e));
      }
      const pooled = m.vm.radix.preloads.reduce((n, p) => n + p.length, 0);
      if (m.vm.radix.nodes_live !== m.vm.radix.in_trees + pooled) this.fail('radix-tree', `${m.vm.radix.nodes_live} radix_tree_node objects live, ${m.vm.radix.in_trees} in trees and ${pooled} preloaded`);
    }
    for (const s of m.slub.caches) {
      try {
        m.slub.check_cache(s as never);
      } catch (e) {
        this.fail('slab-objects', e instanceof Error ? e.message : String(e));
      }
    }
  }
}
