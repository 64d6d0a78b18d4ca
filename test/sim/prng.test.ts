import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Prng, WeightedChoice } from '../../src/sim/prng.js';
import { SimulatorError } from '../../src/sim/assert.js';

/** Chi-square statistic of observed counts against a uniform expectation. */
function chiSquare(counts: number[], total: number): number {
  const e = total / counts.length;
  return counts.reduce((s, c) => s + ((c - e) * (c - e)) / e, 0);
}

test('prng: known answer for seed 1 (xoshiro128** seeded by splitmix32)', () => {
  // Pinned outputs. They were cross-checked against an independent Python transcription of the
  // reference xoshiro128** (Blackman and Vigna) and of splitmix32 as seeded in prng.ts, so a change
  // to seeding, to the state update or to the output scrambler is caught here.
  const p = Prng.seeded(1);
  const got = Array.from({ length: 8 }, () => p.nextU32());
  assert.deepEqual(got, [3296685081, 292216795, 3203276040, 3343330025, 3022133357, 443753119, 3010690734, 1466053312]);
  const s = Prng.seeded(1).derive('sched');
  assert.deepEqual(Array.from({ length: 4 }, () => s.nextU32()), [2307214397, 1255870973, 2804722412, 1496335252]);
  // Seeds above 2^32 use the high word too.
  const big = Prng.seeded(2 ** 40 + 5);
  assert.deepEqual(Array.from({ length: 4 }, () => big.nextU32()), [875273347, 1668215701, 431515669, 3661904079]);
});

test('prng: seeds must be non-negative safe integers', () => {
  for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) {
    assert.throws(() => Prng.seeded(bad), SimulatorError, `seed ${bad}`);
  }
  assert.notDeepEqual(
    Array.from({ length: 4 }, ((p) => () => p.nextU32())(Prng.seeded(1))),
    Array.from({ length: 4 }, ((p) => () => p.nextU32())(Prng.seeded(2 ** 32 + 1))),
    'seed 2^32+1 must not alias seed 1',
  );
});

test('prng: derived streams are keyed by path, not by the parent position', () => {
  const draw = (p: Prng, n: number): number[] => Array.from({ length: n }, () => p.nextU32());
  const ref = draw(Prng.seeded(7).derive('workload'), 16);
  // Another subsystem (and the root) drawing more numbers does not shift the workload stream.
  const root = Prng.seeded(7);
  const mm = root.derive('mm');
  draw(mm, 10_000);
  draw(root, 333);
  assert.deepEqual(draw(root.derive('workload'), 16), ref);
  // Nested labels form a path; siblings differ.
  assert.deepEqual(draw(Prng.seeded(7).derive('run').derive('3'), 8), draw(Prng.seeded(7).derive('run/3'), 8));
  assert.notDeepEqual(draw(Prng.seeded(7).derive('run/3'), 8), draw(Prng.seeded(7).derive('run/4'), 8));
  assert.notDeepEqual(draw(Prng.seeded(7).derive('workload'), 8), draw(Prng.seeded(8).derive('workload'), 8));
  assert.equal(Prng.seeded(7).derive('a').derive('b').path, 'a/b');
});

test('prng: below(n) stays in range and is uniform (n = 6, chi-square)', () => {
  const p = Prng.seeded(11);
  const n = 6, draws = 60_000;
  const counts = new Array<number>(n).fill(0);
  for (let i = 0; i < draws; i++) {
    const x = p.below(n);
    assert.ok(Number.isInteger(x) && x >= 0 && x < n);
    counts[x]!++;
  }
  // 5 degrees of freedom: P(chi2 > 20.5) = 0.001. The seed is fixed, so this is deterministic.
  assert.ok(chiSquare(counts, draws) < 20.5, `chi2 ${chiSquare(counts, draws)} counts ${counts}`);
  assert.equal(p.below(1), 0);
  assert.throws(() => p.below(0), SimulatorError);
  assert.throws(() => p.below(2.5), SimulatorError);
});

test('prng: below(n) has no modulo bias (n = 3 * 2^30)', () => {
  // With plain `x % n`, values in [0, 2^30) would come up with probability 1/2 instead of 1/3,
  // because [3*2^30, 2^32) folds onto them. 30000 draws: sd of the fraction is 0.0027.
  const p = Prng.seeded(12);
  const n = 3 * 2 ** 30, draws = 30_000;
  let low = 0;
  for (let i = 0; i < draws; i++) {
    const x = p.below(n);
    assert.ok(x >= 0 && x < n);
    if (x < 2 ** 30) low++;
  }
  assert.ok(Math.abs(low / draws - 1 / 3) < 0.015, `fraction ${low / draws}`);
  // n = 2^32 exactly takes the 32-bit path with no rejection.
  const q = Prng.seeded(12);
  for (let i = 0; i < 1000; i++) assert.ok(q.below(2 ** 32) < 2 ** 32);
});

test('prng: below(n) for n above 2^32 uses 53 bits (n = 2^52 + 12345 and MAX_SAFE_INTEGER)', () => {
  for (const n of [2 ** 52 + 12345, Number.MAX_SAFE_INTEGER, 2 ** 32 + 1]) {
    const p = Prng.seeded(13);
    const draws = 20_000;
    let sum = 0, above32 = 0, upperHalf = 0;
    for (let i = 0; i < draws; i++) {
      const x = p.below(n);
      assert.ok(Number.isSafeInteger(x) && x >= 0 && x < n, `below(${n}) gave ${x}`);
      sum += x / n;
      if (x >= 2 ** 32) above32++;
      if (x >= n / 2) upperHalf++;
    }
    // Mean of U(0,1) is 1/2 with sd 0.289/sqrt(20000) = 0.002; 0.01 is 5 sd.
    assert.ok(Math.abs(sum / draws - 0.5) < 0.01, `mean ${sum / draws} for n=${n}`);
    assert.ok(Math.abs(upperHalf / draws - 0.5) < 0.02, `upper half ${upperHalf / draws} for n=${n}`);
    if (n > 2 ** 40) assert.ok(above32 > draws * 0.99, 'high bits are used');
  }
});

test('prng: range(lo, hi) is inclusive at both ends', () => {
  const p = Prng.seeded(14);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const x = p.range(-3, 3);
    assert.ok(x >= -3 && x <= 3);
    seen.add(x);
  }
  assert.deepEqual([...seen].sort((a, b) => a - b), [-3, -2, -1, 0, 1, 2, 3]);
  assert.equal(p.range(5, 5), 5);
  assert.throws(() => p.range(5, 4), SimulatorError);
});

test('prng: chance(num, den) is a ratio (0, 1 and 1/4)', () => {
  const p = Prng.seeded(15);
  let hits = 0;
  const draws = 40_000;
  for (let i = 0; i < draws; i++) {
    assert.equal(p.chance(0, 7), false);
    assert.equal(p.chance(7, 7), true);
    if (p.chance(1, 4)) hits++;
  }
  // sd of the fraction: sqrt(0.25 * 0.75 / 40000) = 0.0022; 0.01 is 4.6 sd.
  assert.ok(Math.abs(hits / draws - 0.25) < 0.01, `fraction ${hits / draws}`);
  assert.throws(() => p.chance(5, 4), SimulatorError);
  assert.throws(() => p.chance(1, 0), SimulatorError);
  assert.throws(() => p.chance(-1, 4), SimulatorError);
});

test('prng: weighted() follows integer weights and never picks weight 0', () => {
  const p = Prng.seeded(16);
  const counts = [0, 0, 0, 0];
  const draws = 40_000;
  for (let i = 0; i < draws; i++) counts[p.weighted([1, 0, 3, 4])]!++;
  assert.equal(counts[1], 0);
  // Expected 1/8, 3/8, 4/8; 0.012 is > 4 sd for each fraction.
  assert.ok(Math.abs(counts[0]! / draws - 1 / 8) < 0.012, `${counts}`);
  assert.ok(Math.abs(counts[2]! / draws - 3 / 8) < 0.012, `${counts}`);
  assert.ok(Math.abs(counts[3]! / draws - 4 / 8) < 0.012, `${counts}`);
  assert.equal(p.weighted([0, 0, 5]), 2);
  assert.throws(() => p.weighted([0, 0]), SimulatorError);
  assert.throws(() => p.weighted([]), SimulatorError);
});

test('prng: below(n) is x % n of the first 32-bit draw under the rejection limit, for small and large n', () => {
  // below32 computes the remainder by a floor division for n < 2^21 (cheaper in V8 than a
  // floating-point %); this pins it to the plain definition, near 2^21 and above it included.
  const ns = [2, 3, 7, 100, 1000, 65535, 65536, 1_000_003, 2 ** 21 - 1, 2 ** 21, 2 ** 21 + 1, 3_000_000_019, 2 ** 32 - 1, 2 ** 32];
  const r = Prng.seeded(99);
  for (let i = 0; i < 2000; i++) ns.push(2 + r.below(2 ** 21), 2 + r.below(2 ** 32 - 2));
  const a = Prng.seeded(5);
  const b = Prng.seeded(5);
  for (const n of ns) {
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (let i = 0; i < 20; i++) {
      let x = b.nextU32();
      while (x >= limit) x = b.nextU32();
      assert.equal(a.below(n), x % n, `n = ${n}`);
    }
  }
});

test('prng: WeightedChoice.draw returns what weighted() does and leaves the stream where it does', () => {
  // The copy loop draws file sizes through WeightedChoice; every result of the model depends on it
  // agreeing with weighted(), zero weights and totals with rejection included.
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 2 ** 31 }), (weights, seed) => {
      fc.pre(weights.some((w) => w > 0));
      const a = Prng.seeded(seed);
      const b = Prng.seeded(seed);
      const wc = new WeightedChoice(weights);
      for (let i = 0; i < 200; i++) {
        const got = wc.draw(a);
        assert.equal(got, b.weighted(weights));
        assert.ok(weights[got]! > 0, `picked index ${got} of weight 0 in ${weights}`);
      }
      assert.equal(a.nextU32(), b.nextU32());
    }),
    { numRuns: 300, seed: 7 },
  );
  // A total above 2^32 takes the 53-bit path of below().
  const big = [2 ** 32, 2 ** 31, 1];
  const a = Prng.seeded(3);
  const b = Prng.seeded(3);
  const wc = new WeightedChoice(big);
  for (let i = 0; i < 100; i++) assert.equal(wc.draw(a), b.weighted(big));
  assert.throws(() => new WeightedChoice([0, 0]), SimulatorError);
});

test('prng: shuffle() is a uniform permutation', () => {
  const p = Prng.seeded(17);
  const a = Array.from({ length: 50 }, (_, i) => i);
  const s = p.shuffle([...a]);
  assert.deepEqual([...s].sort((x, y) => x - y), a);
  assert.notDeepEqual(s, a);
  // All 6 orders of 3 elements, 60000 shuffles: chi-square with 5 df below 20.5 (p = 0.001).
  const orders = new Map<string, number>();
  const draws = 60_000;
  for (let i = 0; i < draws; i++) {
    const key = p.shuffle(['a', 'b', 'c']).join('');
    orders.set(key, (orders.get(key) ?? 0) + 1);
  }
  assert.equal(orders.size, 6);
  assert.ok(chiSquare([...orders.values()], draws) < 20.5, `${[...orders.entries()]}`);
  assert.deepEqual(p.shuffle([]), []);
  assert.deepEqual(p.shuffle([9]), [9]);
});

test('prng: exponential(mean) has the right mean (n = 200000)', () => {
  // An exponential variable's sd equals its mean, so the sample mean of 200000 draws has a
  // relative standard error of 1/sqrt(200000) = 0.22%; a 1% tolerance is 4.5 standard errors.
  // Rounding to integer ns adds no bias at this mean (it is symmetric within 0.5 ns).
  const p = Prng.seeded(18);
  const mean = 1_000_000, n = 200_000;
  let sum = 0, sumSq = 0;
  for (let i = 0; i < n; i++) {
    const x = p.exponential(mean);
    assert.ok(Number.isSafeInteger(x) && x >= 0);
    sum += x;
    sumSq += x * x;
  }
  const m = sum / n;
  assert.ok(Math.abs(m / mean - 1) < 0.01, `mean ${m}`);
  // Second moment of Exp is 2 mean^2: checks the shape, not just the location (5% tolerance).
  assert.ok(Math.abs(sumSq / n / (2 * mean * mean) - 1) < 0.05, `second moment ${sumSq / n}`);
});
