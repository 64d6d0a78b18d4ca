/**
 * The event queue: a binary min-heap ordered by (time, seq), stored in parallel typed arrays.
 *
 * Each event is four numbers: time (ns), seq (insertion order, the tie-breaker), kind (which
 * handler) and arg (an integer the handler interprets, usually an index into its own table).
 * No object is allocated per event; the arrays double when full, which is rare and amortised.
 * Cancellation is lazy: an owner remembers the seq of its pending event and ignores stale ones.
 */
export class EventQueue {
  private time: Float64Array;
  private seq: Float64Array;
  private kind: Int32Array;
  private arg: Int32Array;
  private n = 0;
  private nextSeq = 0;

  /** Fields of the most recently popped event. */
  topTime = 0;
  topSeq = 0;
  topKind = 0;
  topArg = 0;

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.kind = new Int32Array(capacity);
    this.arg = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.n === 0 ? Infinity : this.time[0]!;
  }

  /** Inserts an event and returns its sequence number. */
  push(time: number, kind: number, arg: number): number {
    if (this.n === this.time.length) this.grow();
    const s = this.nextSeq++;
    // Sift up with a hole: move parents down until the new key fits.
    let i = this.n++;
    const T = this.time, S = this.seq, K = this.kind, A = this.arg;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = T[p]!;
      if (pt < time || (pt === time && S[p]! < s)) break;
      T[i] = pt; S[i] = S[p]!; K[i] = K[p]!; A[i] = A[p]!;
      i = p;
    }
    T[i] = time; S[i] = s; K[i] = kind; A[i] = arg;
    return s;
  }

  /** Removes the earliest event into top* fields; returns false when empty. */
  pop(): boolean {
    if (this.n === 0) return false;
    const T = this.time, S = this.seq, K = this.kind, A = this.arg;
    this.topTime = T[0]!; this.topSeq = S[0]!; this.topKind = K[0]!; this.topArg = A[0]!;
    const last = --this.n;
    if (last === 0) return true;
    const lt = T[last]!, ls = S[last]!, lk = K[last]!, la = A[last]!;
    // Sift down with a hole from the root.
    let i = 0;
    const half = last >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      const r = c + 1;
      if (r < last && (T[r]! < T[c]! || (T[r] === T[c] && S[r]! < S[c]!))) c = r;
      const ct = T[c]!;
      if (lt < ct || (lt === ct && ls < S[c]!)) break;
      T[i] = ct; S[i] = S[c]!; K[i] = K[c]!; A[i] = A[c]!;
      i = c;
    }
    T[i] = lt; S[i] = ls; K[i] = lk; A[i] = la;
    return true;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const t = new Float64Array(cap); t.set(this.time); this.time = t;
    const s = new Float64Array(cap); s.set(this.seq); this.seq = s;
    const k = new Int32Array(cap); k.set(this.kind); this.kind = k;
    const a = new Int32Array(cap); a.set(this.arg); this.arg = a;
  }
}
