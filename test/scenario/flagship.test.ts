/**
 * The flagship against the patch's account, point by point, on fixed seeds: rc8 livelocks with
 * the patch's signature; the fix, the 2.6.24 layout and the alternatives the patch discusses do
 * not. Every run checks the cheap invariants after each event and the full set at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../src/scenario/run.js';
import { DEFAULT_PARAMS, paramsFromScenario, type Profile, type RunParams, type Variant } from '../../src/scenario/params.js';
import { loadScenarioArg } from '../../src/cli/scenario-source.js';
import { InvariantChecker } from '../../src/check/invariants.js';
import { bootMachine } from '../../src/scenario/machine.js';
import type { Machine } from '../../src/scenario/machine.js';
import type { RunResult } from '../../src/scenario/result.js';
import { SLAB_RECLAIM_ACCOUNT } from '../../src/include/slab.js';
import { NR_SLAB_RECLAIMABLE, NR_SLAB_UNRECLAIMABLE } from '../../src/mm/page_alloc.js';
import { TASK_DEAD } from '../../src/kernel/task.js';
import { formatSeconds } from '../../src/sim/time.js';

const SEEDS = [1, 2, 3];

function run(profile: Profile, variants: Variant[], seed: number, extra: Partial<RunParams> = {}): { r: RunResult; m: Machine } {
  const { result, machine } = runScenario({ ...DEFAULT_PARAMS, profile, variants, seed, ...extra }, { check: 'cheap' });
  new InvariantChecker(machine, 'full').check();
  return { r: result, m: machine };
}

/** Page allocation failures whose call chain goes through __scsi_get_command. */
function scsiFailures(m: Machine): number {
  return m.pa.failures.filter((f) => f.frames.includes('__scsi_get_command')).length;
}

const reclaimers = (r: RunResult) => r.tasks.filter((t) => t.comm === 'cp' || t.comm === 'kswapd0');
const inMempool = (chain: string[]) => {
  const want = ['io_schedule_timeout', 'mempool_alloc', 'bio_alloc_bioset', 'bio_alloc', 'get_swap_bio'];
  let i = 0;
  for (const f of chain) if (f === want[i]) i++;
  return i === want.length;
};

for (const seed of SEEDS) {
  test(`flagship: rc8 livelocks with the patch's signature (2.6.25-rc8, seed ${seed})`, () => {
    const { r, m } = run('2.6.25-rc8', [], seed);
    assert.equal(r.verdict, 'LIVELOCK', r.reason);
    assert.ok(r.writeback_pages_stuck > 0, 'pages stuck under writeback');
    assert.equal(r.writeback_pages_stuck, r.writeback_pages_at_end, 'a livelocked run counts what it ended with as stuck');
    assert.equal(r.stall, 'sense-buffer', 'the stall kind names the patch\'s latch');
    // The timeline tells the model's story in order: free memory reaches the GFP_ATOMIC line during
    // reclaim's first pass, the first swap bios take kmalloc-128's last slots and the reserve,
    // kblockd's first prep fails on the sense buffer and plugs the idle queue. No swap write ever
    // completes: the model latches at the first squeeze (docs/flagship.md).
    const at = (ev: string): number => r.timeline.find((e) => e.event === ev)?.t_ns ?? -1;
    for (const ev of ['atomic_line:DMA32', 'swap_write', 'bio_reserve', 'bio_wait', 'sense_alloc_failed', 'alloc_failure_report', 'prep_defer_idle', 'progress_stopped', 'verdict']) assert.ok(at(ev) >= 0, `timeline has ${ev}`);
    assert.ok(at('atomic_line:DMA32') <= at('swap_write') && at('swap_write') <= at('bio_wait') && at('bio_wait') <= at('sense_alloc_failed'), JSON.stringify(r.timeline));
    assert.equal(at('sense_alloc_failed'), at('prep_defer_idle'), 'the first failed prep is the one that plugs the idle queue');
    assert.equal(at('swap_write_done'), -1, 'no swap write ever completes');
    assert.equal(at('free_list_used'), -1);
    assert.ok(at('progress_stopped') < at('swap_write'), 'progress stopped when the copies entered reclaim, before the first write');
    assert.equal(at('verdict'), r.sim_time_ns);
    // ZONE_DMA's GFP_ATOMIC line includes its lowmem_reserve against DMA32 allocations, above its own free pages from boot.
    assert.equal(r.timeline[0]!.event, 'from_boot:DMA');
    assert.match(r.timeline[0]!.text, /^DMA: free pages are at or below the GFP_ATOMIC line \(\d+, with lowmem_reserve \d+ for DMA32 allocations\) from boot, and so below pages_low and pages_min$/);
    assert.ok(!r.timeline.some((e) => e.event === 'atomic_line:DMA'), 'a level crossed from boot is not repeated');
    assert.ok(r.timeline[0]!.t_ns < 1e9);
    assert.deepEqual(r.timeline.map((e) => e.t_ns), [...r.timeline.map((e) => e.t_ns)].sort((a, b) => a - b), 'in time order');
    assert.equal(m.q.in_flight, 0, 'nothing in flight: no writeback completes');
    // Most tasks of interest sleep in get_swap_bio -> bio_alloc -> mempool_alloc -> io_schedule_timeout.
    const rec = reclaimers(r);
    const asleep = rec.filter((t) => inMempool(t.chain));
    assert.ok(asleep.length * 2 > rec.length, `${asleep.length} of ${rec.length} reclaimers in mempool_alloc: ${JSON.stringify(rec.map((t) => t.chain.slice(0, 4)))}`);
    // A copy's chain ends in the one system call it is in (sys_open, sys_mkdir or sys_write), never one inside another.
    for (const t of rec.filter((x) => x.comm === 'cp')) {
      const calls = t.chain.filter((f) => f.startsWith('sys_'));
      assert.equal(calls.length, 1, `cp ${t.pid}: ${t.chain.join(' <- ')}`);
      assert.equal(t.chain[t.chain.length - 1], calls[0], `cp ${t.pid}: the system call is the outermost frame`);
    }
    assert.ok(r.figures['bio_pool_timeouts']! > 0, 'the mempool waiters wake by the 5 s timeout');
    // kblockd retries every unplug_delay (3 jiffies at HZ 1000) for the whole window.
    const window_ns = r.sim_time_ns - r.time_to_livelock_ns!;
    // The time to livelock is the event time of the last progress, not the watchdog's check after
    // it: the run stops at the first once-a-second check a full window later.
    assert.ok(window_ns > 135e9 && window_ns <= 136e9, `no progress for ${window_ns} ns before the verdict`);
    assert.match(r.reason, new RegExp(`^no forward progress since ${formatSeconds(r.time_to_livelock_ns!).replace('.', '\\.')} s;`));
    assert.ok(r.figures['prep_defers_plugged']! >= (0.9 * window_ns) / 3e6, `defers with device_busy 0: ${r.figures['prep_defers_plugged']}`);
    const kb = r.tasks.filter((t) => t.comm.startsWith('kblockd/'));
    assert.ok(kb.some((t) => t.switches >= (0.9 * window_ns) / 3e6), 'a kblockd thread does the retrying');
    // kblockd/N: page allocation failure. order:0, mode:0x20, through __scsi_get_command: the
    // printk_ratelimit burst of 10, then one every 5 s.
    const lines = m.k.log.lines;
    const heads = lines.flatMap((l, i) => (/^kblockd\/\d: page allocation failure\. order:0, mode:0x20$/.test(l.text) ? [i] : []));
    const reports = heads.map((i) => lines[i]!);
    assert.ok(reports.length >= 10 + 5, `${reports.length} kblockd failure reports`);
    for (const i of heads) {
      // The report's call trace follows its first line, up to show_mem's "Mem-info:".
      const end = lines.findIndex((l, j) => j > i && l.text === 'Mem-info:');
      const trace = lines.slice(i + 1, end).map((l) => l.text.trim());
      assert.ok(trace.includes('[<sim>] __scsi_get_command') && trace.includes('[<sim>] blk_unplug_work'), `report at ${lines[i]!.timeNs} ns: ${trace.join(' / ')}`);
    }
    const after = reports.slice(10).map((l) => l.timeNs);
    for (let i = 1; i < after.length; i++) {
      const gap = after[i]! - after[i - 1]!;
      assert.ok(gap >= 4.99e9 && gap <= 5.01e9, `reports ${i} and ${i + 1} after the burst are ${gap / 1e9} s apart`);
    }
    assert.equal(r.alloc_failure_reports, reports.length, 'no other allocation failure is reported');
    assert.equal(r.free_list_uses, 0, 'the free-list command is never used');
    assert.equal(m.shost.free_list.length, 1, 'it sits on the free list');
    assert.equal(r.hung_task_reports, 0, 'no hung-task report: the waiters wake every 5 s');
    const hung = /no hung-task report in the (\d+) s after progress stopped: the longest any task sat in D state without being scheduled was (\d+) s/.exec(r.reason);
    assert.ok(hung !== null, r.reason);
    assert.ok(Number(hung[1]) >= 131, 'the detector had its worst-case latency (122 units of 2^30 ns and a tick, 131 s) after progress stopped');
    assert.ok(Number(hung[2]) <= 5, 'no task went more than 5 s unscheduled in D state');
    assert.equal(r.figures['hung_task_longest_blocked_s'], Number(hung[2]));
    assert.doesNotMatch(r.reason, /OOM killer/, 'swap is full here too, but writes are pending: this is the livelock, not OOM');
  });

  test(`flagship: the fix makes progress through the free-list command, one command at a time (2.6.25, seed ${seed})`, () => {
    const { r, m } = run('2.6.25', [], seed);
    assert.equal(r.verdict, 'COMPLETED', r.reason);
    assert.ok(r.free_list_uses >= 1, 'the free-list command is used during the squeeze');
    assert.equal(r.stall, null, 'a completed run has no stall kind');
    // The first write to complete is carried by the free-list command, during the squeeze.
    const at = (ev: string): number => r.timeline.find((e) => e.event === ev)?.t_ns ?? -1;
    assert.ok(at('sense_alloc_failed') >= 0 && at('sense_alloc_failed') === at('free_list_used'), JSON.stringify(r.timeline));
    assert.ok(at('free_list_used') < at('swap_write_done') && at('swap_write_done') < at('workload_finished'));
    assert.ok(at('free_list_last') >= at('free_list_used') || r.free_list_uses === 1);
    assert.equal(at('progress_stopped'), -1);
    assert.equal(r.timeline.at(-1)!.event, 'verdict');
    assert.equal(r.figures['max_device_busy_free_list'], 1, 'while it is in flight the host works one command at a time');
    assert.ok(r.figures['sense_failures']! >= 1, 'the sense allocation still fails during the squeeze');
    assert.equal(r.writeback_pages_stuck, 0, 'nothing is stuck in a completed run, whatever is still in flight at its end');
    // The finish is the last copy task's exit, before the once-a-second check that ended the run.
    const fin = r.time_to_finish_ns!;
    assert.ok(fin < r.sim_time_ns && r.sim_time_ns - fin <= 1e9, `finished at ${fin} ns, run ended at ${r.sim_time_ns} ns`);
    assert.ok(m.workload.tasks.every((t) => t.state === TASK_DEAD), 'every copy task has exited');
    assert.match(r.reason, new RegExp(`^workload finished at ${formatSeconds(fin).replace('.', '\\.')} s:`));
  });
}

test('flagship: a no-op ctor on the sense cache avoids the livelock and every allocation failure in __scsi_get_command (2.6.25-rc8 + noop-ctor)', () => {
  const { r, m } = run('2.6.25-rc8', ['noop-ctor'], 1);
  assert.equal(r.verdict, 'COMPLETED', r.reason);
  assert.equal(r.figures['sense_failures'], 0);
  assert.equal(scsiFailures(m), 0);
  assert.notEqual(m.caches.sense!.s, m.caches.bio.s);
});

test('flagship: the sense buffer inside scsi_cmnd\'s cache avoids the livelock; 448 bytes per command at 64-byte lines (2.6.25-rc8 + single-cache)', () => {
  const { r, m } = run('2.6.25-rc8', ['single-cache'], 1);
  assert.equal(r.verdict, 'COMPLETED', r.reason);
  assert.equal(r.bytes_per_command, 448);
  // No separate sense allocation can fail. The one allocation may (free memory crosses the
  // GFP_ATOMIC line), and rc8 does fall back to the free list when the command allocation fails.
  assert.equal(r.figures['sense_failures'], 0);
  assert.ok(scsiFailures(m) >= 1, 'the command allocation fails during the squeeze');
  assert.equal(r.free_list_uses, scsiFailures(m), 'each failure is carried by the free-list command');
});

test('flagship: 2.6.24 (sense buffer embedded in scsi_cmnd) does not livelock (2.6.24)', () => {
  const { r } = run('2.6.24', [], 1);
  assert.equal(r.verdict, 'COMPLETED', r.reason);
  assert.equal(r.bytes_per_command, 384);
});

test('flagship: without merging (slub_nomerge, SLAB) bios cannot take the sense buffers\' slots (2.6.25-rc8)', () => {
  for (const v of ['slub_nomerge', 'slab'] as const) {
    const { r } = run('2.6.25-rc8', [v], 1);
    assert.equal(r.verdict, 'COMPLETED', `${v}: ${r.reason}`);
    assert.equal(r.figures['sense_failures'], 0, v);
  }
});

test('flagship: boot reads leave every CPU its own slab in the command and sense caches', () => {
  const m = bootMachine({ ...DEFAULT_PARAMS, copies: 1, tree_bytes: 4096 });
  m.k.sim.run({ untilNs: 50_000_000 });
  assert.ok(m.bootReads.done, 'the boot reads have finished');
  assert.equal(m.bootReads.completed, m.bootReads.submitted);
  for (const c of [m.caches.cmd.s, m.caches.sense!.s]) {
    for (let cpu = 0; cpu < m.k.nr_cpu_ids; cpu++) assert.ok(c.cpu_page[cpu]! >= 0, `${c.name}: CPU ${cpu} has a CPU slab`);
  }
  new InvariantChecker(m, 'full').check();
});

test('flagship: with a 2.6.25 source tree\'s file sizes, the files\' own radix-tree nodes pay for the swap cache\'s and rc8 completes (kernel-tree mix)', () => {
  const mix = paramsFromScenario(loadScenarioArg('kernel-tree')).file_size_mix;
  const { r } = run('2.6.25-rc8', [], 1, { file_size_mix: mix });
  assert.equal(r.verdict, 'COMPLETED', r.reason);
  assert.ok(r.figures['atomic_line_margin_pages']! > 500, `margin ${r.figures['atomic_line_margin_pages']}`);
  assert.equal(r.figures['sense_failures'], 0);
});

test("flagship: a watchdog window shorter than the hung-task detector's worst case says it could not have fired yet", () => {
  const { r } = run('2.6.25-rc8', [], 1, { watchdog_window_ns: 30e9 });
  assert.equal(r.verdict, 'LIVELOCK', r.reason);
  assert.match(r.reason, /no hung-task report, but the run stopped 30 s after progress did, short of the 131 s the detector may need; the longest any task sat in D state without being scheduled was [0-5] s as the detector counts/);
});

// The flagship's livelock depends on how reclaim's CPU time is charged (docs/flagship.md,
// "Where the model differs"). These runs pin the current sensitivity, so that a model change that
// alters it shows up here for review.
test('flagship sensitivity: overlapping CPU time charged per page, rc8 with 4 reclaiming copies gets through the squeeze, then swap-out crawls in two-page requests', () => {
  // Five reclaimers take turns page by page, so consecutive swap slots go to different reclaimers'
  // batches, and each batch comes back to the LRU whole: the second pass writes every fifth slot.
  const { r, m } = run('2.6.25-rc8', [], 1, { reclaim_charge: 'page', cpu_sharing: 'overlap', time_limit_ns: 60e9 });
  assert.equal(m.vm.scan_charge_per_page, true);
  assert.equal(r.verdict, 'LIMIT', r.reason);
  const since = /no forward progress since (\d+\.\d+) s/.exec(r.reason);
  assert.ok(since !== null && Number(since[1]) > 59, `still making progress at the limit: ${r.reason}`);
  assert.ok(scsiFailures(m) > 0, 'kblockd and softirq preps still fail during the squeeze');
  assert.equal(r.free_list_uses, 0, 'rc8 never uses the free-list command');
  const f = r.figures;
  assert.ok(f['swap_writes_completed']! / f['requests']! < 4, `${f['swap_writes_completed']} pages in ${f['requests']} requests`);
});

test('flagship sensitivity: overlapping CPU time charged per page, 3 copies of the same data still livelock rc8 with the signature', () => {
  const { r } = run('2.6.25-rc8', [], 1, { reclaim_charge: 'page', cpu_sharing: 'overlap', copies: 3, tree_bytes: 1163220992 });
  assert.equal(r.verdict, 'LIVELOCK', r.reason);
  assert.ok(r.writeback_pages_stuck > 0 && r.writeback_pages_stuck < 200, `${r.writeback_pages_stuck} pages stuck`);
  assert.match(r.reason, /in schedule <- io_schedule_timeout <- mempool_alloc <- bio_alloc_bioset/);
});

test('flagship sensitivity: on CPUs that serve one task at a time (slice) and charged per page, rc8 still livelocks with the signature', () => {
  const { r, m } = run('2.6.25-rc8', [], 1, { reclaim_charge: 'page', cpu_sharing: 'slice' });
  assert.equal(m.k.cpu_sharing, 'slice');
  assert.equal(r.verdict, 'LIVELOCK', r.reason);
  assert.ok(scsiFailures(m) > 0, 'the sense allocations fail in __scsi_get_command');
  assert.equal(r.free_list_uses, 0, 'the free-list command is never used');
  assert.ok(reclaimers(r).filter((t) => inMempool(t.chain)).length >= 3, 'the reclaimers sleep in get_swap_bio -> mempool_alloc');
});

test('flagship sensitivity: with bios ended one by one (as 2.6.25 does), rc8 latches just the same, with the signature; the fix still finishes through the free-list command', () => {
  const { r, m } = run('2.6.25-rc8', [], 1, { completion_end_bios: 'one_by_one' });
  assert.equal(r.verdict, 'LIVELOCK', r.reason);
  assert.equal(r.writeback_pages_stuck, 95, 'the pile is bounded before the first prep, so the completion order does not move it');
  assert.ok(scsiFailures(m) > 0 && r.free_list_uses === 0);
  assert.ok(reclaimers(r).filter((t) => inMempool(t.chain)).length >= 3, 'the reclaimers sleep in get_swap_bio -> mempool_alloc');
  const fix = run('2.6.25', [], 1, { completion_end_bios: 'one_by_one' });
  assert.equal(fix.r.verdict, 'COMPLETED', fix.r.reason);
  assert.ok(fix.r.free_list_uses >= 1);
  assert.ok(fix.m.scsi.nr_inline_steps > 0);
  // Freed one at a time, the bios wake one reclaimer each, which takes fs_bio_set's reserve bio
  // and submits it alone: the pipeline breaks into small commands.
  assert.ok(fix.r.figures['bio_reserve_uses']! > 300, `${fix.r.figures['bio_reserve_uses']} reserve bios taken`);
});

test('flagship sensitivity: with bios ended one by one, noop-ctor still completes, but its small commands outnumber CPU 0\'s command slab and rc8 falls back to the free list; with at most 8 in flight nothing fails (docs/flagship.md)', () => {
  const { r, m } = run('2.6.25-rc8', ['noop-ctor'], 1, { completion_end_bios: 'one_by_one' });
  assert.equal(r.verdict, 'COMPLETED', r.reason);
  assert.equal(r.figures['sense_failures'], 0, 'the sense cache is its own: its allocation never fails');
  assert.ok(scsiFailures(m) > 0, 'the command allocation fails during the squeeze');
  assert.ok(r.free_list_uses > 0, 'and rc8 takes the free-list command for it');
  // Preps run on CPU 0 (kblockd/0, and the completion softirq: the disk interrupts CPU 0), whose
  // scsi_cmd_cache slab holds 12 commands; SLUB gives CPU 0 none of the slab CPU 1 holds.
  assert.ok(m.pa.failures.filter((f) => f.frames.includes('__scsi_get_command')).every((f) => f.cpu === 0), 'every failure is on CPU 0');
  const few = run('2.6.25-rc8', ['noop-ctor'], 1, { completion_end_bios: 'one_by_one', can_queue: 8, queue_depth: 8 });
  assert.equal(few.r.verdict, 'COMPLETED', few.r.reason);
  assert.equal(scsiFailures(few.m), 0, 'with at most 8 commands in flight CPU 0\'s slab always has one');
  assert.equal(few.r.alloc_failure_reports, 0);
});

test('flagship: radix_tree_node is created as 2.6.25 does (SLAB_PANIC alone), so node slabs count as unreclaimable; SReclaimable holds only the dentries', () => {
  const { r, m } = run('2.6.25-rc8', [], 1);
  assert.equal(r.verdict, 'LIVELOCK', r.reason);
  assert.equal(m.vm.radix!.cachep.s.flags & SLAB_RECLAIM_ACCOUNT, 0, 'SLAB_RECLAIM_ACCOUNT is 2.6.26');
  assert.ok(m.vm.radix!.nodes_live > 8_000, `${m.vm.radix!.nodes_live} nodes`);
  assert.equal(m.pa.vm_stat[NR_SLAB_RECLAIMABLE], m.caches.dentry.s.nr_slabs, 'dentry slabs (SLAB_RECLAIM_ACCOUNT) and nothing else');
  assert.ok(m.pa.vm_stat[NR_SLAB_UNRECLAIMABLE]! > m.caches.inode.s.nr_slabs + 1000);
});

test('flagship: every file and directory the copies create holds a dentry and a shmem inode (GFP_KERNEL slabs, never freed)', () => {
  const { r, m } = run('2.6.25', [], 1);
  assert.equal(r.verdict, 'COMPLETED', r.reason);
  const w = m.workload;
  const names = w.files_copied + w.dirs_created;
  const perTree = DEFAULT_PARAMS.tree_bytes / 4096;
  assert.equal(w.files_copied, 4 * perTree, 'one-page files: one file per page copied');
  assert.equal(w.dirs_created, 4 * Math.ceil(perTree / 17), 'a directory per 17 files in each tree');
  assert.equal(m.caches.dentry.inuse, names);
  assert.equal(m.caches.inode.inuse, names);
  assert.equal(m.caches.inode.s.size, 768, 'init_once moves the free pointer past the 760-byte object');
  assert.equal(m.caches.inode.s.objects, 5);
  assert.equal(m.caches.dentry.s.objects, 19);
  // About 1 KiB of slab per name, from pages that the copy's reclaim had to make room for.
  assert.ok(m.caches.inode.s.nr_slabs + m.caches.dentry.s.nr_slabs > 200_000);
});

test('flagship: with 1.5 GiB of swap the first pass stops when swap is full, short of the GFP_ATOMIC line, and rc8 completes (seed 1)', () => {
  const { r } = run('2.6.25-rc8', [], 1, { swap_bytes: 1536 * 1024 * 1024 });
  assert.equal(r.verdict, 'COMPLETED', r.reason);
  assert.ok(r.figures['atomic_line_margin_pages']! > 0, `margin ${r.figures['atomic_line_margin_pages']}`);
  assert.equal(r.alloc_failure_reports, 0);
  // The second pass streams at full depth, with no sense allocation failing.
  assert.equal(r.figures['max_device_busy'], 31);
  assert.equal(r.figures['sense_failures'], 0);
  assert.ok(r.figures['swap_writes_completed']! > 100_000, `${r.figures['swap_writes_completed']} swap writes`);
});
