import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sim } from '../../src/sim/engine.js';
import { SimulatorError } from '../../src/sim/assert.js';
import { EventQueue } from '../../src/sim/queue.js';
import { Prng } from '../../src/sim/prng.js';
import { assertTimeNs, formatSeconds, jiffiesToNs, nsToJiffies, NSEC_PER_SEC } from '../../src/sim/time.js';

test('engine: events run in (time, seq) order', () => {
  const sim = new Sim(4);
  const seen: number[] = [];
  const k = sim.register('rec', (a) => seen.push(a));
  sim.at(30, k, 3);
  sim.at(10, k, 1);
  sim.at(30, k, 4);
  sim.at(20, k, 2);
  sim.at(10, k, 0);
  sim.run();
  assert.deepEqual(seen, [1, 0, 2, 3, 4]);
  assert.equal(sim.now, 30);
});

test('engine: scheduling in the past is a simulator assertion with time and event', () => {
  const sim = new Sim();
  const k = sim.register('bad', () => sim.at(sim.now - 1, k, 0));
  sim.at(5, k, 0);
  assert.throws(() => sim.run(), (e: unknown) => e instanceof SimulatorError && e.timeNs === 5 && e.event === 1);
});

test('queue: pops in (time, seq) order under random inserts, growing from capacity 4', () => {
  const rng = Prng.seeded(21);
  const q = new EventQueue(4);
  const ref: { time: number; seq: number; arg: number }[] = [];
  for (let i = 0; i < 5000; i++) {
    // Few distinct times, so ties (broken by seq) are common.
    const time = rng.below(64) * 1000;
    const seq = q.push(time, i % 7, i);
    assert.equal(seq, i);
    ref.push({ time, seq, arg: i });
  }
  assert.equal(q.size, 5000);
  ref.sort((a, b) => a.time - b.time || a.seq - b.seq);
  for (const r of ref) {
    assert.equal(q.peekTime(), r.time);
    assert.ok(q.pop());
    assert.deepEqual([q.topTime, q.topSeq, q.topKind, q.topArg], [r.time, r.seq, r.arg % 7, r.arg]);
  }
  assert.equal(q.size, 0);
  assert.equal(q.pop(), false);
  assert.equal(q.peekTime(), Infinity);
});

test('queue: interleaved push and pop matches a sorted reference (like a running engine)', () => {
  const rng = Prng.seeded(22);
  const q = new EventQueue(2);
  const ref: [number, number][] = [];
  let now = 0;
  for (let step = 0; step < 20_000; step++) {
    if (ref.length === 0 || rng.chance(3, 5)) {
      const t = now + rng.below(10);
      ref.push([t, q.push(t, 0, step)]);
    } else {
      let best = 0;
      for (let i = 1; i < ref.length; i++) {
        const [t, s] = ref[i]!, [bt, bs] = ref[best]!;
        if (t < bt || (t === bt && s < bs)) best = i;
      }
      const [t, s] = ref.splice(best, 1)[0]!;
      q.pop();
      assert.equal(q.topTime, t);
      assert.equal(q.topSeq, s);
      now = t;
    }
    assert.equal(q.size, ref.length);
  }
});

test('engine: lazy cancellation through currentSeq ignores stale events', () => {
  const sim = new Sim(2);
  let pendingSeq = -1;
  const fired: number[] = [];
  const k = sim.register('owner', (arg) => {
    if (sim.currentSeq !== pendingSeq) return; // stale: cancelled or re-armed
    pendingSeq = -1;
    fired.push(sim.now * 10 + arg);
  });
  pendingSeq = sim.at(100, k, 1); // re-armed below: stale
  pendingSeq = sim.at(50, k, 2); // the live one
  sim.at(20, k, 3); // never owned: stale
  sim.run();
  assert.deepEqual(fired, [502]);
  assert.equal(sim.events, 3, 'stale events are still dispatched, just ignored');
  // Cancel then re-arm at the same instant: exactly one fires.
  pendingSeq = sim.at(200, k, 4);
  pendingSeq = -1;
  pendingSeq = sim.at(200, k, 5);
  sim.run();
  assert.deepEqual(fired, [502, 2005]);
});

test('engine: run limits (untilNs, maxEvents, stop) and the observer', () => {
  const sim = new Sim();
  const seen: string[] = [];
  const k = sim.register('tick', (n) => {
    if (n < 10) sim.after(100, k, n + 1);
    if (n === 7) sim.stop('seven');
  });
  assert.equal(sim.kindName(k), 'tick');
  assert.equal(sim.kindName(99), 'kind99');
  sim.observer = (kind, arg) => seen.push(`${sim.kindName(kind)}:${arg}`);
  sim.at(0, k, 0);
  assert.equal(sim.run({ untilNs: 250 }), 'time-limit');
  assert.equal(sim.now, 250);
  assert.equal(sim.events, 3);
  assert.equal(sim.peekTime(), 300);
  assert.equal(sim.run({ maxEvents: 5 }), 'event-limit');
  assert.equal(sim.events, 5);
  assert.equal(sim.run(), 'stopped');
  assert.equal(sim.stopReason, 'seven');
  assert.equal(sim.now, 700);
  assert.equal(sim.run(), 'empty');
  assert.equal(sim.now, 1000);
  assert.deepEqual(seen, Array.from({ length: 11 }, (_, i) => `tick:${i}`));
});

test('engine: event times must be safe integers', () => {
  const sim = new Sim();
  const k = sim.register('x', () => {});
  assert.throws(() => sim.at(2 ** 53, k, 0), SimulatorError);
  assert.throws(() => sim.at(1.5, k, 0), SimulatorError);
  assert.throws(() => sim.at(Number.NaN, k, 0), SimulatorError);
  assert.throws(() => sim.after(-1, k, 0), SimulatorError);
  assert.equal(sim.pending, 0);
  sim.at(Number.MAX_SAFE_INTEGER, k, 0);
  assert.equal(sim.run(), 'empty');
  assert.equal(sim.now, Number.MAX_SAFE_INTEGER);
  // A simulator assertion raised inside a handler carries the time and event number.
  const sim2 = new Sim();
  const bad = sim2.register('bad', () => sim2.assert(false, () => 'invariant broken'));
  sim2.at(42, bad, 0);
  assert.throws(() => sim2.run(), (e: unknown) => e instanceof SimulatorError && e.timeNs === 42 && e.event === 1 && /invariant broken \(at t=42ns, event 1\)/.test(e.toString()));
});

test('time: assertTimeNs accepts non-negative safe integers only', () => {
  assertTimeNs(0);
  assertTimeNs(Number.MAX_SAFE_INTEGER);
  for (const bad of [-1, 0.5, 2 ** 53, Number.NaN, Infinity]) {
    assert.throws(() => assertTimeNs(bad, 'latency_ns'), (e: unknown) => e instanceof SimulatorError && /latency_ns/.test(e.message), `${bad}`);
  }
});

for (const hz of [100, 250, 300, 1000]) {
  test(`time: nsToJiffies and jiffiesToNs round-trip (HZ=${hz})`, () => {
    const js = [...Array.from({ length: 3 * hz + 2 }, (_, i) => i), 10 ** 6, 10 ** 8 + 7, 900_000 * hz + 1];
    for (const j of js) {
      const ns = jiffiesToNs(j, hz);
      assert.ok(Number.isSafeInteger(ns));
      assert.equal(nsToJiffies(ns, hz), j, `jiffy ${j} round-trip`);
      // jiffiesToNs(j) is the first nanosecond of jiffy j.
      if (j > 0) assert.equal(nsToJiffies(ns - 1, hz), j - 1, `jiffy ${j} begins at ${ns}`);
    }
    const rng = Prng.seeded(hz);
    for (let i = 0; i < 2000; i++) {
      const ns = rng.below(2 ** 50);
      const j = nsToJiffies(ns, hz);
      assert.ok(jiffiesToNs(j, hz) <= ns && ns < jiffiesToNs(j + 1, hz), `ns ${ns}`);
    }
    assert.equal(nsToJiffies(NSEC_PER_SEC, hz), hz);
    assert.equal(jiffiesToNs(hz, hz), NSEC_PER_SEC);
  });
}

test('time: HZ=300 does not divide 10^9; jiffies begin at the ceiling', () => {
  assert.equal(jiffiesToNs(1, 300), 3_333_334);
  assert.equal(nsToJiffies(3_333_333, 300), 0);
  assert.equal(nsToJiffies(3_333_334, 300), 1);
  assert.equal(jiffiesToNs(3, 300), 10_000_000);
});

test('time: formatSeconds prints seconds with microseconds', () => {
  assert.equal(formatSeconds(0), '0.000000');
  assert.equal(formatSeconds(12_345_678_999), '12.345678');
  assert.equal(formatSeconds(NSEC_PER_SEC * 3600), '3600.000000');
});

test('queue: (time, seq) order over wide time ranges, above 2^32 ns and near 2^53 (radix buckets)', () => {
  const rng = Prng.seeded(23);
  const q = new EventQueue(1);
  const ref: [number, number][] = [];
  let now = 2 ** 32 - 5000; // cross the 32-bit word boundary early on
  const spans = [1, 16, 1000, 2 ** 20, 2 ** 33, 2 ** 45];
  let pops = 0;
  for (let step = 0; step < 30_000; step++) {
    if (ref.length === 0 || rng.chance(11, 20)) {
      const span = spans[rng.below(spans.length)]!;
      const t = Math.min(now + rng.below(span), Number.MAX_SAFE_INTEGER - 1);
      ref.push([t, q.push(t, 1, step)]);
      // Ties: sometimes push another event at the very same time.
      if (rng.chance(1, 5)) ref.push([t, q.push(t, 1, step)]);
    } else {
      let best = 0;
      for (let i = 1; i < ref.length; i++) {
        const [t, s] = ref[i]!, [bt, bs] = ref[best]!;
        if (t < bt || (t === bt && s < bs)) best = i;
      }
      assert.equal(q.peekTime(), ref[best]![0]);
      const [t, s] = ref.splice(best, 1)[0]!;
      q.pop();
      pops++;
      assert.deepEqual([q.topTime, q.topSeq], [t, s], `pop ${pops}`);
      now = t;
    }
  }
  while (ref.length > 0) {
    ref.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const [t, s] = ref.shift()!;
    q.pop();
    assert.deepEqual([q.topTime, q.topSeq], [t, s]);
    now = t;
  }
  assert.equal(q.size, 0);
  assert.ok(now > 2 ** 40, 'time went far above 2^32');
  q.push(Number.MAX_SAFE_INTEGER, 0, 0);
  q.pop();
  assert.equal(q.topTime, Number.MAX_SAFE_INTEGER);
});

test('queue: peekTime does not stop pushes before the peeked minimum; pushes before the last pop fail', () => {
  const q = new EventQueue();
  q.push(100, 0, 0);
  q.push(500, 0, 1);
  q.pop();
  assert.equal(q.topTime, 100);
  assert.equal(q.peekTime(), 500);
  // An engine that stopped at a time limit (say 200) may schedule between the two.
  q.push(200, 0, 2);
  q.push(100, 0, 3);
  assert.equal(q.peekTime(), 100);
  assert.throws(() => q.push(99, 0, 4), SimulatorError);
  const out: number[] = [];
  while (q.pop()) out.push(q.topArg);
  assert.deepEqual(out, [3, 2, 1]);
});
