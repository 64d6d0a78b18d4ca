import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootMachine, type Machine } from '../../src/scenario/machine.js';
import { DEFAULT_PARAMS, type Profile, type Variant } from '../../src/scenario/params.js';
import { GFP_ATOMIC, GFP_NOIO } from '../../src/include/gfp.js';
import { __scsi_get_command, __scsi_put_command } from '../../src/scsi/scsi.js';
import { bio_alloc, WRITE, type bio } from '../../src/block/bio.js';
import { submit_bio } from '../../src/block/blk-core.js';
import { kmem_cache_alloc, kmem_cache_free } from '../../src/mm/slub.js';
import { InvariantChecker } from '../../src/check/invariants.js';
import { atomicLineApproach } from '../../src/scenario/run.js';
import type { KGen } from '../../src/kernel/task.js';

const MiB = 1024 * 1024;

/** Runs `fn` in interrupt context on CPU 0 (as the completion softirq would) and returns its value. */
function inIrq<T>(m: Machine, fn: () => T): T {
  let r!: T;
  m.k.inInterrupt(0, () => {
    r = fn();
  });
  return r;
}

/**
 * Boots a small machine with the cheap invariant checks after every event; tests end with one
 * full check (after the squeeze a full walk of kmalloc-128's slabs per event would take minutes).
 * No boot reads: these tests set up the slab state they need themselves, and count every command.
 */
function boot(profile: Profile, variants: Variant[] = []): Machine {
  const m = bootMachine({ ...DEFAULT_PARAMS, profile, variants, ram_bytes: 128 * MiB, copies: 0, boot_read_pages: 0 });
  const checker = new InvariantChecker(m, 'cheap');
  m.k.sim.observer = () => checker.check();
  return m;
}

function fullCheck(m: Machine): void {
  new InvariantChecker(m, 'full').check();
}

/**
 * Puts the machine into the patch's squeeze: from interrupt context (no PF_MEMALLOC), take every
 * kmalloc-128 object each CPU can get with GFP_ATOMIC, which also takes free memory down to the
 * GFP_ATOMIC line. Afterwards a GFP_ATOMIC kmalloc-128 allocation fails on every CPU. First, as
 * earlier traffic would have, give every CPU a scsi_cmd_cache slab with free objects, so that the
 * command allocation succeeds and only the sense allocation fails (the patch's case).
 */
function squeezeKmalloc128(m: Machine): number {
  for (let cpu = 0; cpu < m.k.nr_cpu_ids; cpu++) {
    m.k.inInterrupt(cpu, () => {
      const c = kmem_cache_alloc(m.caches.cmd, GFP_ATOMIC);
      assert.ok(c);
      kmem_cache_free(m.caches.cmd, c);
    });
  }
  let taken = 0;
  for (let cpu = 0; cpu < m.k.nr_cpu_ids; cpu++) {
    m.k.inInterrupt(cpu, () => {
      while (m.slub.kmalloc(128, GFP_ATOMIC)) taken++;
    });
  }
  return taken;
}

test('__scsi_get_command: rc8 gives up when the sense allocation fails, with the free-list command unused (2.6.25-rc8)', () => {
  const m = boot('2.6.25-rc8');
  assert.ok(squeezeKmalloc128(m) > 0);
  const cmd = inIrq(m, () => __scsi_get_command(m.shost, GFP_ATOMIC));
  assert.equal(cmd, null);
  assert.equal(m.shost.free_list.length, 1, 'the reserved command is still on the free list');
  assert.equal(m.shost.stat.sense_failures, 1);
  assert.equal(m.shost.stat.free_list_uses, 0);
  assert.equal(m.k.marks.get('rc8_sense_fail_no_fallback'), 1);
  assert.ok(m.pa.alloc_failure_reports >= 1, 'the failed GFP_ATOMIC page allocation is reported');
  assert.match(m.k.log.lines.map((l) => l.text).join('\n'), /swapper: page allocation failure\. order:0, mode:0x20/);
});

test('__scsi_get_command: the fix falls back to the free list, and the put refills it (2.6.25)', () => {
  const m = boot('2.6.25');
  squeezeKmalloc128(m);
  const cmd = inIrq(m, () => __scsi_get_command(m.shost, GFP_ATOMIC));
  assert.ok(cmd !== null);
  assert.equal(cmd!.fromFreeList, true);
  assert.ok(cmd!.sense_buffer > 0, 'the reserved command owns a sense buffer');
  assert.equal(m.shost.free_list.length, 0);
  assert.equal(m.shost.stat.free_list_uses, 1);
  m.k.inInterrupt(0, () => __scsi_put_command(m.shost, cmd!));
  assert.equal(m.shost.free_list.length, 1, 'a put while the list is empty refills it');
});

test('__scsi_get_command: a sense cache with a no-op ctor is not merged and still has objects (2.6.25-rc8, noop-ctor)', () => {
  const m = boot('2.6.25-rc8', ['noop-ctor']);
  assert.notEqual(m.caches.sense!.s, m.caches.bio.s, 'scsi_sense_cache is its own cache');
  squeezeKmalloc128(m);
  const cmd = inIrq(m, () => __scsi_get_command(m.shost, GFP_ATOMIC));
  assert.ok(cmd !== null);
  assert.equal(cmd!.fromFreeList, false);
});

test('machine: bio and scsi_sense_cache share kmalloc-128 on rc8, and bytes per command follow the layout', () => {
  const rc8 = boot('2.6.25-rc8');
  assert.equal(rc8.caches.bio.s, rc8.caches.sense!.s);
  assert.equal(rc8.caches.bio.s.name, 'kmalloc-128');
  assert.equal(rc8.bytes_per_command, 320 + 128);
  assert.equal(boot('2.6.24').bytes_per_command, 384);
  assert.equal(boot('2.6.25-rc8', ['single-cache']).bytes_per_command, 448);
  const netburst = bootMachine({ ...DEFAULT_PARAMS, variants: ['single-cache'], cache_line_bytes: 128, ram_bytes: 128 * MiB, copies: 0 });
  assert.equal(netburst.bytes_per_command, 512);
});

/** A process-context writer that submits `n` one-page swap-style write bios at consecutive sectors. */
function startWriter(m: Machine, n: number, completed: number[]): void {
  m.k.kthread_run('writer', 1, 0, function* (): KGen {
    for (let i = 0; i < n; i++) {
      const b = (yield* bio_alloc(m.k, m.fs_bio_set, GFP_NOIO, 1)) as bio;
      b.bi_sector = 8 * (1000 + i);
      b.bi_size = 4096;
      b.bi_vcnt = 1;
      b.bi_end_io = (_k, bb) => completed.push(bb.id);
      yield* submit_bio(m.q, WRITE, b);
    }
  });
}

test('block+scsi: a DEFER with device_busy 0 plugs and kblockd retries every unplug_delay, forever on rc8 (2.6.25-rc8)', () => {
  const m = boot('2.6.25-rc8');
  const completed: number[] = [];
  m.k.sim.run({ untilNs: 1_000_000 });
  squeezeKmalloc128(m);
  startWriter(m, 2, completed);
  m.k.sim.run({ untilNs: 301_000_000 });
  assert.equal(completed.length, 0, 'nothing is ever written');
  assert.equal(m.disk.stat.commands, 0);
  assert.equal(m.sdev.device_busy, 0);
  // 300 ms at HZ 1000 with unplug_delay 3 jiffies: about 100 retries.
  assert.ok(m.sdev.stat.defers_plugged >= 90 && m.sdev.stat.defers_plugged <= 101, `defers ${m.sdev.stat.defers_plugged}`);
  const kblockd = m.k.tasks.filter((t) => t.comm.startsWith('kblockd/'));
  assert.ok(kblockd.some((t) => t.nvcsw >= 90), 'a kblockd thread does the retrying');
  assert.equal(m.shost.free_list.length, 1, 'the free-list command sat unused');
  assert.equal(m.shost.stat.free_list_uses, 0);
  fullCheck(m);
});

test('block+scsi: the fix dispatches through the free-list command and the write completes (2.6.25)', () => {
  const m = boot('2.6.25');
  const completed: number[] = [];
  m.k.sim.run({ untilNs: 1_000_000 });
  squeezeKmalloc128(m);
  startWriter(m, 2, completed);
  m.k.sim.run({ untilNs: 301_000_000 });
  assert.equal(completed.length, 2, 'both bios are written (merged into one request)');
  assert.equal(m.disk.stat.commands, 1);
  assert.ok(m.shost.stat.free_list_uses >= 1);
  assert.equal(m.sdev.stat.max_device_busy, 1, 'the host works one command at a time');
  assert.equal(m.shost.free_list.length, 1, 'the completion put the command back on the free list');
  fullCheck(m);
});

test('atomicLineApproach: room above the GFP_ATOMIC line after boot; none once the squeeze drains every zone to it', () => {
  const m = boot('2.6.25-rc8');
  const before = atomicLineApproach(m);
  assert.ok(before.margin > 1000, `margin after boot ${before.margin}`);
  squeezeKmalloc128(m);
  const after = atomicLineApproach(m);
  assert.ok(after.margin <= 0, `margin after the squeeze ${after.margin} (${after.zone}: ${after.min_free} against ${after.line})`);
});
