/**
 * The event queue, ordered by (time, seq): a radix heap (Ahuja, Mehlhorn, Orlin and Tarjan, 1990)
 * over integer nanosecond times.
 *
 * Why a radix heap: simulated time never goes backwards (the engine refuses events before now),
 * so the queue is a monotone priority queue, and a radix heap does pushes in O(1) and pops in
 * amortised O(log range) with sequential memory access only. A binary heap of a million resident
 * events spent most of its time in cache misses on the sift-down path and ran at half the speed
 * (bench/run.ts).
 *
 * How: `last` is the time of the most recently popped event (or the minimum after a refill).
 * Times are read as 14 hexadecimal digits (4 bits each; 53-bit times, and 32-bit words hold
 * whole digits). Bucket 0 holds events at exactly `last`; an event whose time first differs from
 * `last` in digit d, where it has the value v, is in bucket 1 + 16d + v. Buckets in index order hold
 * ever larger times, so a pop takes the front of bucket 0, and when bucket 0 is empty, the first
 * non-empty bucket is scanned for its minimum time, that becomes `last`, and the bucket's events
 * are redistributed into lower buckets (they now agree with `last` in digit d too). Events in
 * other buckets keep their bucket: `last` did not change in any digit that places them. An event
 * moves at most 14 times; with a million resident events a hold model moves each about 3 times
 * (binary digits: 9 times, and 20% slower).
 *
 * Tie order: every bucket keeps its events in increasing seq order. A push appends the newest
 * seq; a redistribution appends a bucket's events, in order, to lower buckets, which are empty at
 * that moment (it is the first non-empty bucket). So bucket 0, which holds only events at `last`,
 * pops them in seq order, and the queue yields exactly the (time, seq) order of a sorted list.
 *
 * Each event is four numbers: time (ns), seq (insertion order, the tie-breaker), kind (which
 * handler) and arg (an integer the handler interprets, usually an index into its own table),
 * stored as pairs in typed arrays per bucket; no object is allocated per event, and the arrays
 * double when full (rare, amortised). Cancellation is lazy: an owner remembers the seq of its
 * pending event and ignores stale ones.
 */
import { SimulatorError } from './assert.js';

/** 1 + 14 digits x 16 values. */
const NBUCKETS = 225;
const TWO32 = 4294967296;

export class EventQueue {
  /** Per bucket: key[2i] = time, key[2i + 1] = seq. */
  private readonly key: Float64Array[] = [];
  /** Per bucket: val[2i] = kind, val[2i + 1] = arg. */
  private readonly val: Int32Array[] = [];
  /** Events stored in each bucket (bucket 0's live ones start at head0). */
  private readonly len = new Int32Array(NBUCKETS);
  private head0 = 0;
  /** Non-empty buckets: bit (b & 31) of mask[b >> 5]. */
  private readonly mask = new Int32Array((NBUCKETS + 31) >> 5);
  private last = 0;
  /** High word of `last`: floor(last / 2^32). */
  private lastHi = 0;
  /** peekTime's cached minimum while bucket 0 is empty; -1 when unknown. */
  private peekMin = -1;
  private n = 0;
  private nextSeq = 0;

  /** Fields of the most recently popped event. */
  topTime = 0;
  topSeq = 0;
  topKind = 0;
  topArg = 0;

  constructor(capacity = 1024) {
    for (let b = 0; b < NBUCKETS; b++) {
      const cap = b === 0 ? Math.max(16, capacity) : 16;
      this.key.push(new Float64Array(2 * cap));
      this.val.push(new Int32Array(2 * cap));
    }
  }

  get size(): number {
    return this.n;
  }

  /**
   * Time of the earliest event; Infinity when empty. It does not reorganise the buckets: the
   * engine may stop at a time limit before that event and then accept pushes earlier than it.
   */
  peekTime(): number {
    if (this.n === 0) return Infinity;
    if (this.head0 < this.len[0]!) return this.last;
    if (this.peekMin < 0) {
      const b = this.firstBucket();
      const K = this.key[b]!;
      const m = this.len[b]!;
      let min = K[0]!;
      for (let i = 1; i < m; i++) if (K[2 * i]! < min) min = K[2 * i]!;
      this.peekMin = min;
    }
    return this.peekMin;
  }

  /** Uses up `n` sequence numbers, as `n` pushes would (see Sim.advanceInline). */
  skipSeq(n: number): void {
    this.nextSeq += n;
  }

  /** Inserts an event (time >= the last popped time) and returns its sequence number. */
  push(time: number, kind: number, arg: number): number {
    if (time < this.last) throw new SimulatorError(`event queue: push at ${time}ns before the last popped time ${this.last}ns`);
    const s = this.nextSeq++;
    this.peekMin = -1;
    this.append(this.bucketOf(time), time, s, kind, arg);
    this.n++;
    return s;
  }

  /** Removes the earliest event into top* fields; returns false when empty. */
  pop(): boolean {
    if (this.n === 0) return false;
    if (this.head0 === this.len[0]) this.refill();
    const i = this.head0++;
    const K = this.key[0]!, V = this.val[0]!;
    this.topTime = K[2 * i]!;
    this.topSeq = K[2 * i + 1]!;
    this.topKind = V[2 * i]!;
    this.topArg = V[2 * i + 1]!;
    if (this.head0 === this.len[0]) this.head0 = this.len[0] = 0;
    this.n--;
    return true;
  }

  /** 0 if time === last, else 1 + 16d + v: d is the highest digit in which time differs, v its value there. */
  private bucketOf(time: number): number {
    const last = this.last;
    if (time === last) return 0;
    // Times are below 2^53, so the high word fits in 21 bits; bitwise operators see the low 32
    // bits of a safe integer exactly.
    const th = (time / TWO32) | 0;
    const hi = th ^ this.lastHi;
    if (hi !== 0) {
      const d = (63 - Math.clz32(hi)) >> 2;
      return 1 + (d << 4) + ((th >>> ((d << 2) - 32)) & 15);
    }
    const d = (31 - Math.clz32(time ^ last)) >> 2;
    return 1 + (d << 4) + ((time >>> (d << 2)) & 15);
  }

  private append(b: number, time: number, seq: number, kind: number, arg: number): void {
    let j = this.len[b]!;
    let K = this.key[b]!;
    if (2 * j === K.length) {
      if (b === 0 && this.head0 > 0) {
        // Bucket 0 is consumed from the front: slide the live events down before growing.
        const h = this.head0;
        K.copyWithin(0, 2 * h, 2 * j);
        this.val[0]!.copyWithin(0, 2 * h, 2 * j);
        j -= h;
        this.head0 = 0;
      }
      if (2 * j === K.length) {
        const k2 = new Float64Array(2 * K.length);
        k2.set(K);
        this.key[b] = K = k2;
        const v2 = new Int32Array(2 * K.length);
        v2.set(this.val[b]!);
        this.val[b] = v2;
      }
    }
    const V = this.val[b]!;
    K[2 * j] = time;
    K[2 * j + 1] = seq;
    V[2 * j] = kind;
    V[2 * j + 1] = arg;
    this.len[b] = j + 1;
    this.mask[b >> 5] |= 1 << (b & 31);
  }

  /** The first non-empty bucket above 0 (bucket 0 empty, n > 0). */
  private firstBucket(): number {
    const mask = this.mask;
    for (let w = 0; w < mask.length; w++) {
      const x = w === 0 ? mask[0]! & ~1 : mask[w]!;
      // Lowest set bit: 31 - clz32(x & -x).
      if (x !== 0) return (w << 5) + 31 - Math.clz32(x & -x);
    }
    throw new SimulatorError('event queue: no event found although the queue is not empty');
  }

  /** Bucket 0 is empty and n > 0: make the minimum of the first non-empty bucket the new `last`. */
  private refill(): void {
    this.head0 = this.len[0] = 0;
    this.mask[0] &= ~1;
    this.peekMin = -1;
    const b = this.firstBucket();
    const K = this.key[b]!, V = this.val[b]!;
    const m = this.len[b]!;
    let min = K[0]!;
    for (let i = 1; i < m; i++) if (K[2 * i]! < min) min = K[2 * i]!;
    this.last = min;
    this.lastHi = (min / TWO32) | 0;
    this.len[b] = 0;
    this.mask[b >> 5] &= ~(1 << (b & 31));
    for (let i = 0; i < m; i++) {
      const t = K[2 * i]!;
      this.append(this.bucketOf(t), t, K[2 * i + 1]!, V[2 * i]!, V[2 * i + 1]!);
    }
  }
}
