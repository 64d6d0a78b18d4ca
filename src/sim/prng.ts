/**
 * The project's seeded PRNG: xoshiro128** (Blackman and Vigna, 2018), seeded through splitmix32.
 *
 * Every draw that decides behaviour goes through an integer API (ranges, ratios, weighted
 * choice, shuffle), so results are identical on every machine. Derived streams are keyed by the
 * root seed and a label path, not by the parent's position, so one subsystem drawing more numbers
 * never shifts another subsystem's stream.
 */
import { assert, fail } from './assert.js';

const TWO32 = 4294967296;
/**
 * Below this n, x - floor(x / n) * n is exactly x % n for every 32-bit x: the quotient's rounding
 * error (under 2^-21 for x < 2^32) is smaller than the 1/n that separates a non-integer quotient
 * from the next integer, so the floor is right, and the rest is exact integer arithmetic.
 */
const SMALL_N = 2 ** 21;

/** The largest multiple of n not above 2^32: 32-bit draws at or above it are rejected, so x % n is uniform. */
function rejectionLimit32(n: number): number {
  return TWO32 - (TWO32 % n);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** splitmix32 step, used only to expand seeds into xoshiro state. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over a string's UTF-16 code units, 32 bits. */
function fnv1a(str: string, h = 0x811c9dc5): number {
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Prng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  private constructor(
    /** The root seed (a safe non-negative integer). */
    readonly seed: number,
    /** The label path of this stream ("" for the root). */
    readonly path: string,
  ) {
    const lo = seed % TWO32;
    const hi = Math.floor(seed / TWO32);
    const st = { s: (lo ^ Math.imul(hi, 0x9e3779b1) ^ fnv1a(path)) | 0 };
    this.s0 = splitmix32(st);
    this.s1 = splitmix32(st);
    this.s2 = splitmix32(st);
    this.s3 = splitmix32(st);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The root stream for a seed. */
  static seeded(seed: number): Prng {
    assert(Number.isSafeInteger(seed) && seed >= 0, `seed must be a non-negative safe integer, got ${seed}`);
    return new Prng(seed, '');
  }

  /** An independent stream for a subsystem or run, e.g. `derive('workload')`, `derive('run/17')`. */
  derive(label: string): Prng {
    return new Prng(this.seed, this.path === '' ? label : `${this.path}/${label}`);
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const s0 = this.s0, s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    let s2 = this.s2 ^ s0;
    let s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = s0 ^ s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    this.s2 = s2;
    this.s3 = s3;
    return result;
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling). n must be a positive safe integer. */
  /**
   * below(n) for 1 < n <= 2^32, with the rejection limit (rejectionLimit32(n)) worked out by the
   * caller: for hot loops that draw below the same n many times.
   */
  below32(n: number, limit: number): number {
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    // x is often above 2^31, so V8 computes a plain `%` as a floating-point remainder (a call to
    // fmod): it was the dearest line of the copy loop. A floor division gives the same integer.
    return n < SMALL_N ? x - Math.floor(x / n) * n : x % n;
  }

  below(n: number): number {
    if (!(Number.isSafeInteger(n) && n > 0)) fail('below(n) needs a positive safe integer, got ', n);
    if (n <= TWO32) {
      if (n === 1) return 0;
      return this.below32(n, rejectionLimit32(n));
    }
    // 53-bit draw for large n (for example nanosecond ranges longer than 4.29 s).
    const TWO53 = 9007199254740992;
    const limit = TWO53 - (TWO53 % n);
    let x: number;
    do {
      x = (this.nextU32() >>> 11) * TWO32 + this.nextU32();
    } while (x >= limit);
    return x % n;
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  range(lo: number, hi: number): number {
    if (!(hi >= lo)) fail('range(', lo, ', ', hi, ') is empty');
    return lo + this.below(hi - lo + 1);
  }

  /** True with probability num/den (integers, 0 <= num <= den). */
  chance(num: number, den: number): boolean {
    if (!(den > 0 && num >= 0 && num <= den)) fail('chance(', num, '/', den, ') is not a ratio');
    return this.below(den) < num;
  }

  /** Index drawn with probability proportional to integer weights (see also WeightedChoice). */
  weighted(weights: ArrayLike<number>): number {
    return weightedIndex(weights, this.below(weightsTotal(weights)));
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = arr[i]!;
      arr[i] = arr[j]!;
      arr[j] = t;
    }
    return arr;
  }

  /**
   * Exponentially distributed integer duration with the given mean (ns), for service-time and
   * arrival models. Uses Math.log, which V8 implements in software (fdlibm port), so results are
   * the same on every host; the draw itself comes from 53 uniform bits.
   */
  exponential(meanNs: number): number {
    const u = ((this.nextU32() >>> 5) * 67108864 + (this.nextU32() >>> 6) + 0.5) / 9007199254740992;
    return Math.max(0, Math.round(-Math.log(u) * meanNs));
  }
}

/**
 * Prng.weighted for fixed weights, with the total checked and summed once: draw(rng) consumes the
 * PRNG exactly as rng.weighted(weights) does and returns the same index, so hot loops (one draw
 * per copied file) can use it without changing any result.
 */
export class WeightedChoice {
  /** Running sums of the weights, without the last (which is the total). */
  private readonly bounds: Float64Array;
  private readonly total: number;
  /** below(total)'s rejection limit, worked out once (0: total is 1 or above 2^32, use below). */
  private readonly limit: number;
  constructor(weights: ArrayLike<number>) {
    this.total = weightsTotal(weights);
    this.bounds = new Float64Array(weights.length - 1);
    let sum = 0;
    for (let i = 0; i < this.bounds.length; i++) this.bounds[i] = sum += weights[i]!;
    this.limit = this.total > 1 && this.total <= TWO32 ? rejectionLimit32(this.total) : 0;
  }

  draw(rng: Prng): number {
    const x = this.limit === 0 ? rng.below(this.total) : rng.below32(this.total, this.limit);
    // The index is the number of running sums at or below x: weightedIndex's answer, found with
    // no data-dependent branch. The draw is random, so weightedIndex's early exit was
    // mispredicted about every other time, which cost more than the comparisons it saved.
    const b = this.bounds;
    let i = 0;
    for (let j = 0; j < b.length; j++) i += +(x >= b[j]!);
    return i;
  }
}

/** The sum of integer weights, which must be positive and a safe integer. */
function weightsTotal(weights: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  assert(total > 0 && Number.isSafeInteger(total), 'weighted() needs positive integer weights');
  return total;
}

/** The index whose weight interval holds `x` (0 <= x < total). */
function weightedIndex(weights: ArrayLike<number>, x: number): number {
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i]!;
    if (x < 0) return i;
  }
  return weights.length - 1;
}
