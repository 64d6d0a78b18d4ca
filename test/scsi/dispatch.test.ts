/**
 * The dispatch side of scsi_request_fn: what happens when the low-level driver refuses a command
 * (scsi_dispatch_cmd -> scsi_queue_insert), and how scsi_run_queue gives a device that was starved
 * by the host's can_queue its turn when a command completes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootMachine, type Machine } from '../../src/scenario/machine.js';
import { DEFAULT_PARAMS, type RunParams } from '../../src/scenario/params.js';
import { GFP_NOIO } from '../../src/include/gfp.js';
import { bio_alloc, WRITE, type bio } from '../../src/block/bio.js';
import { submit_bio } from '../../src/block/blk-core.js';
import type { KGen } from '../../src/kernel/task.js';
import { InvariantChecker } from '../../src/check/invariants.js';
import { SCSI_MLQUEUE_DEVICE_BUSY, SCSI_MLQUEUE_HOST_BUSY } from '../../src/scsi/scsi_lib.js';
import type { scsi_cmnd } from '../../src/scsi/scsi.js';
import { runFtrace } from '../../src/report/collect.js';
import { observe, smallParams } from '../report/helpers.js';

const MiB = 1024 * 1024;

/** A small machine with the cheap invariants checked after every event. */
function boot(over: Partial<RunParams> = {}): Machine {
  const m = bootMachine({ ...DEFAULT_PARAMS, ram_bytes: 128 * MiB, copies: 0, boot_read_pages: 0, ...over });
  const checker = new InvariantChecker(m, 'cheap');
  m.k.sim.observer = () => checker.check();
  return m;
}

/**
 * Submits `n` one-page writes from a kernel thread, `gap` sectors apart (8: contiguous, one
 * request; more: one request each), and returns the instants their bios ended.
 */
function write(m: Machine, n: number, gap: number): number[] {
  const ends: number[] = [];
  m.k.kthread_run('writer', 1, 0, function* (): KGen {
    for (let i = 0; i < n; i++) {
      const b = (yield* bio_alloc(m.k, m.fs_bio_set, GFP_NOIO, 1)) as bio;
      b.bi_sector = 1000 + gap * i;
      b.bi_size = 4096;
      b.bi_vcnt = 1;
      b.bi_end_io = (k) => {
        ends.push(k.now);
      };
      yield* submit_bio(m.q, WRITE, b);
    }
  });
  return ends;
}

/** Makes the machine's disk refuse the next `times` commands with `reason`, then accept again. */
function refuse(m: Machine, times: number, reason: number): { refused: number } {
  const disk = m.disk;
  const accept = disk.queuecommand.bind(disk);
  const seen = { refused: 0 };
  disk.queuecommand = (cmd: scsi_cmnd, done: (c: scsi_cmnd) => void): number => {
    if (seen.refused < times) {
      seen.refused++;
      return reason;
    }
    return accept(cmd, done);
  };
  return seen;
}

test('scsi_queue_insert: a command the host refuses goes back to the head of the queue, the host stays blocked for max_host_blocked idle runs, then it is written', () => {
  const m = boot();
  const seen = refuse(m, 1, SCSI_MLQUEUE_HOST_BUSY);
  const ends = write(m, 1, 8);
  const blockedSeen = new Set<number>();
  const prev = m.k.sim.observer!;
  m.k.sim.observer = (kind, arg) => {
    prev(kind, arg);
    if (m.shost.host_blocked > 0) blockedSeen.add(m.shost.host_blocked);
  };
  m.k.sim.run({ untilNs: 1e9 });
  new InvariantChecker(m, 'full').check();
  assert.equal(seen.refused, 1);
  // The refusal sets host_blocked to max_host_blocked (7); kblockd's run right after it counts the
  // first one off in the same instant, and each unplug-timer run one more.
  for (let n = 1; n < m.shost.max_host_blocked; n++) assert.ok(blockedSeen.has(n), `host_blocked went through ${n} (seen: ${[...blockedSeen].sort().join(',')})`);
  assert.equal(m.shost.host_blocked, 0, 'the count ran down to zero');
  assert.equal(ends.length, 1, 'the write completed exactly once');
  assert.equal(m.sdev.device_busy, 0);
  assert.equal(m.shost.host_busy, 0);
  assert.equal(m.q.in_flight, 0);
  assert.equal(m.sdev.stat.dispatched, 1, 'a refused dispatch is not counted');
  assert.equal(m.disk.stat.commands, 1);
  // While blocked with nothing in flight, each queue run counts the block down and plugs: the
  // unplug timer (3 jiffies) brings the next run, so the write waits six timer periods.
  const jiffy = 1e9 / m.params.hz;
  assert.ok(ends[0]! >= (m.shost.max_host_blocked - 1) * 3 * jiffy, `the write ended at ${ends[0]} ns, before the host unblocked`);
  assert.ok(ends[0]! < (m.shost.max_host_blocked + 1) * 3 * jiffy + 50e6, `the write ended at ${ends[0]} ns, long after the host unblocked`);
  assert.equal(m.shost.free_list.length, 1, 'the command went back and the free list still holds its one');
});

test('scsi_queue_insert: a device-busy refusal blocks the device for max_device_blocked idle runs', () => {
  const m = boot();
  const seen = refuse(m, 2, SCSI_MLQUEUE_DEVICE_BUSY);
  const ends = write(m, 1, 8);
  m.k.sim.run({ untilNs: 1e9 });
  new InvariantChecker(m, 'full').check();
  assert.equal(seen.refused, 2, 'refused twice, then accepted');
  assert.equal(ends.length, 1);
  assert.equal(m.sdev.device_blocked, 0);
  assert.equal(m.shost.host_blocked, 0, 'the host was never blocked');
  assert.equal(m.sdev.stat.dispatched, 1);
  assert.equal(m.q.rq.count[0]! + m.q.rq.count[1]!, 0, 'the request was freed');
});

test('scsi_run_queue: with can_queue below queue_depth, a completion runs the starved device\'s queue, and the device\'s own queue after it', () => {
  // Eight requests (writes far apart never merge) against a host that takes two at a time.
  const m = boot({ can_queue: 2, queue_depth: 8 });
  const runs: number[] = [];
  const prev = m.k.sim.observer!;
  let calls = 0;
  m.k.sim.observer = (kind, arg) => {
    prev(kind, arg);
    if (m.q.stat.request_fn_calls !== calls) {
      runs.push(m.q.stat.request_fn_calls - calls);
      calls = m.q.stat.request_fn_calls;
    }
  };
  const ends = write(m, 8, 4096);
  m.k.sim.run({ untilNs: 5e9 });
  new InvariantChecker(m, 'full').check();
  assert.equal(ends.length, 8, 'every write completed');
  assert.ok(m.sdev.stat.max_device_busy <= 2, 'never more than can_queue in flight');
  assert.equal(m.shost.starved_list.length, 0, 'nothing left starved');
  // A completion while the device sits on the starved list runs request_fn twice in one event:
  // once for the starved device (this one), once more for the completing device's own queue.
  assert.ok(runs.some((r) => r === 2), `some completion ran the queue twice (request_fn calls per event: ${runs.join(',')})`);
});

test('dispatch: the scsi_dispatch_cmd_start trace names READ_10 for a read and WRITE_10 for a write (sd_init_command)', () => {
  const { result, machine } = observe(smallParams({ trace_events: ['scsi:scsi_dispatch_cmd_start'], trace_buffer_kb: 65536 }));
  const lines = runFtrace(machine, result).split('\n').filter((l) => l.includes('scsi_dispatch_cmd_start:'));
  const boot = lines.filter((l) => l.includes('bootread/'));
  assert.ok(boot.length > 0, 'the boot reads are dispatched');
  for (const l of boot) assert.match(l, /cmnd=READ_10 /);
  const writes = lines.filter((l) => !l.includes('bootread/'));
  assert.ok(writes.length > 0, 'swap writes are dispatched');
  for (const l of writes) assert.match(l, /cmnd=WRITE_10 /);
});
