/**
 * How a request's completion takes its time (machine.completion_cost): with end_bios at_once every
 * bio ends when the completion begins; with one_by_one, as 2.6.25's scsi_end_request, each bio
 * ends per_bio after the one before, and the request is freed and the next command prepared only
 * after the last. Either way the whole completion keeps its CPU busy for the same time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootMachine, type Machine } from '../../src/scenario/machine.js';
import { DEFAULT_PARAMS, paramsFromScenario, type RunParams } from '../../src/scenario/params.js';
import { GFP_NOIO } from '../../src/include/gfp.js';
import { bio_alloc, WRITE, type bio } from '../../src/block/bio.js';
import { submit_bio } from '../../src/block/blk-core.js';
import { TP } from '../../src/kernel/trace.js';
import type { KGen } from '../../src/kernel/task.js';
import { InvariantChecker } from '../../src/check/invariants.js';
import { runScenario } from '../../src/scenario/run.js';
import { loadScenarioArg } from '../../src/cli/scenario-source.js';

const MiB = 1024 * 1024;
const REQUEST_NS = 5000;
const PER_BIO_NS = 500;

/** What the test saw when a bio ended. */
interface End {
  now: number;
  sector: number;
  /** Requests allocated from the queue's pool (the one request stays allocated until freed). */
  requests: number;
  in_flight: number;
  device_busy: number;
}

/**
 * Starts a task that writes `n` one-page bios at the sectors `sectorOf` gives, and returns the list
 * their ends fill (with the queue's and device's counts at each end).
 */
function writeBios(m: Machine, n: number, sectorOf: (i: number) => number): End[] {
  const ends: End[] = [];
  m.k.kthread_run('writer', 1, 0, function* (): KGen {
    for (let i = 0; i < n; i++) {
      const b = (yield* bio_alloc(m.k, m.fs_bio_set, GFP_NOIO, 1)) as bio;
      b.bi_sector = sectorOf(i);
      b.bi_size = 4096;
      b.bi_vcnt = 1;
      b.bi_end_io = (k, done) => {
        ends.push({ now: k.now, sector: done.bi_sector, requests: m.q.rq.count[0]! + m.q.rq.count[1]!, in_flight: m.q.in_flight, device_busy: m.sdev.device_busy });
      };
      yield* submit_bio(m.q, WRITE, b);
    }
  });
  return ends;
}

/**
 * Submits `n` contiguous one-page bios (one request) and runs until everything has completed,
 * with the cheap invariants checked after every event. Returns the bio ends and the instant the
 * request's completion began (block_rq_complete).
 */
function complete(n: number, oneByOne: boolean, inline = true): { ends: End[]; begin: number; m: Machine } {
  const p: RunParams = {
    ...DEFAULT_PARAMS,
    ram_bytes: 128 * MiB,
    copies: 0,
    boot_read_pages: 0,
    completion_request_ns: REQUEST_NS,
    completion_per_bio_ns: PER_BIO_NS,
    ...(oneByOne ? { completion_end_bios: 'one_by_one' as const } : {}),
    trace_events: ['block:block_rq_complete'],
    trace_buffer_kb: 64,
  };
  const m = bootMachine(p);
  m.k.inline_runs = inline;
  const checker = new InvariantChecker(m, 'cheap');
  m.k.sim.observer = () => checker.check();
  const ends = writeBios(m, n, (i) => 1000 + 8 * i);
  m.k.sim.run({ untilNs: 1e9 });
  new InvariantChecker(m, 'full').check();
  const rec = m.k.trace.records().filter((r) => r.id === TP.block_rq_complete);
  assert.equal(rec.length, 1, 'the bios made one request');
  return { ends, begin: rec[0]!.timeNs, m };
}

test('completion one_by_one: bios end in order, each per_bio after the one before, after the command\'s share; the request is freed after the last', () => {
  const { ends, begin, m } = complete(6, true);
  assert.deepEqual(
    ends.map((e) => e.sector),
    [1000, 1008, 1016, 1024, 1032, 1040],
  );
  assert.deepEqual(
    ends.map((e) => e.now - begin),
    [1, 2, 3, 4, 5, 6].map((i) => REQUEST_NS + i * PER_BIO_NS),
  );
  for (const e of ends) {
    assert.equal(e.requests, 1, 'the request is still allocated while its bios end');
    assert.equal(e.in_flight, 1, 'the elevator counts it in flight until end_that_request_last');
    assert.equal(e.device_busy, 0, 'the device stopped counting it when the completion began');
  }
  assert.equal(m.q.rq.count[0]! + m.q.rq.count[1]!, 0, 'freed after the last bio');
  assert.equal(m.q.in_flight, 0);
  assert.equal(m.scsi.nr_completing, 0);
});

test('completion one_by_one: a request waiting on the done list stays busy until the CPU turns to it, as blk_done_softirq runs one softirq_done_fn at a time', () => {
  // Three requests far apart on the disk, each completion costing 20 ms of CPU 0: the disk
  // completes the second and third while the first is still being completed.
  const p: RunParams = { ...DEFAULT_PARAMS, ram_bytes: 128 * MiB, copies: 0, boot_read_pages: 0, completion_request_ns: 20e6, completion_per_bio_ns: PER_BIO_NS, completion_end_bios: 'one_by_one' };
  const m = bootMachine(p);
  const checker = new InvariantChecker(m, 'cheap');
  m.k.sim.observer = () => checker.check();
  const ends = writeBios(m, 3, (i) => 1000 + 1_000_000 * i);
  m.k.sim.run({ untilNs: 2e9 });
  new InvariantChecker(m, 'full').check();
  assert.equal(ends.length, 3);
  assert.ok(m.scsi.nr_waited >= 1, `a completion waited for the CPU (${m.scsi.nr_waited})`);
  // Each bio ends 20 ms after the one before: the CPU completes one request at a time.
  for (let i = 1; i < 3; i++) assert.ok(ends[i]!.now - ends[i - 1]!.now >= 20e6, `${ends[i]!.now - ends[i - 1]!.now} ns apart`);
  // While the first request's bio ends, the others still count as busy (on the disk or waiting
  // on the done list), as they would in 2.6.25: only their own completion unbusies them.
  assert.deepEqual(ends.map((e) => e.device_busy), [2, 1, 0]);
  assert.equal(m.sdev.device_busy, 0);
  assert.equal(m.scsi.nr_completing, 0);
});

test('completion at_once: every bio ends when the completion begins (the default)', () => {
  const { ends, begin } = complete(6, false);
  assert.equal(ends.length, 6);
  assert.ok(ends.every((e) => e.now === begin));
});

test('completion one_by_one: ending the bios inline instead of by events changes nothing (same times, events and trace)', () => {
  const a = complete(12, true, true);
  const b = complete(12, true, false);
  assert.deepEqual(a.ends, b.ends);
  assert.equal(a.m.k.sim.events, b.m.k.sim.events);
  assert.equal(a.m.k.now, b.m.k.now);
  assert.ok(a.m.scsi.nr_inline_steps > 0, 'the inline path was taken');
  assert.equal(b.m.scsi.nr_inline_steps, 0);
});

test('completion one_by_one on a small flagship (192 MiB, 4 x 64 MiB, the fix): invariants hold, and inline steps give the same trace hash as events', () => {
  const base = paramsFromScenario(loadScenarioArg('flagship', ['profile=2.6.25', 'machine.completion_cost.end_bios=one_by_one', 'machine.ram=192MiB', 'workload.tree_size=64MiB', 'swap.size=512MiB']));
  assert.equal(base.completion_end_bios, 'one_by_one');
  const one = runScenario(base, { check: 'cheap' });
  new InvariantChecker(one.machine, 'full').check();
  const off = runScenario(base, { check: 'off', onBoot: (m) => (m.k.inline_runs = false) });
  assert.equal(one.result.verdict, 'COMPLETED', one.result.reason);
  assert.equal(off.result.trace_hash, one.result.trace_hash);
  assert.equal(off.result.events, one.result.events);
  assert.ok(one.machine.scsi.nr_inline_steps > 0, 'the inline path was taken');
  assert.equal(off.machine.scsi.nr_inline_steps, 0);
  // The default (at_once) is another run: the bios end at other instants.
  const atOnce = runScenario({ ...base, completion_end_bios: undefined }, { check: 'off' });
  assert.notEqual(atOnce.result.trace_hash, one.result.trace_hash);
});
