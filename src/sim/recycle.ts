/**
 * Typed arrays handed from one run to the next in the same thread.
 *
 * A flagship run allocates about 22 MB of mem_map arrays (one entry per page frame in each of
 * nine arrays) and about 20 MB of SLUB slab and object tables (mm/slub.ts, grown by doubling to
 * 262 144 slabs and 2 million objects). Fresh memory costs the host a page fault per 4 KiB on first touch, and V8 counts
 * it as external memory, whose growth triggers full garbage collections. Reusing the arrays saves
 * 2-3% of a flagship run (BENCHMARKS.md). A sweep worker runs thousands of machines of the same
 * size one after another, so it gives a finished machine's arrays back (`recycle`) and the next
 * machine takes them (`take`), filled exactly as a new array would be. Nothing of one run reaches
 * the next: `take` overwrites every element.
 *
 * Only code that knows a machine is finished with may give its arrays back (explore's runOnce);
 * everything else lets them go to the garbage collector as before.
 */

type Typed = Int32Array | Uint32Array | Uint16Array | Uint8Array;
type TypedCtor<T extends Typed> = { new (n: number): T; readonly name: string };

/**
 * Arrays kept per (type, length). A machine gives back six Int32Arrays of one length (the page
 * count, mapping, index, private word and the two list links), so fewer would drop some of them.
 */
const KEEP = 8;
const spare = new Map<string, Typed[]>();

function key(name: string, n: number): string {
  return `${name}:${n}`;
}

/** A new-looking array of `n` elements of type `C`, every element `fill`: a recycled one if there is one. */
export function take<T extends Typed>(C: TypedCtor<T>, n: number, fill = 0): T {
  const list = spare.get(key(C.name, n));
  const a = list?.pop() as T | undefined;
  if (a === undefined) {
    const fresh = new C(n);
    if (fill !== 0) fresh.fill(fill);
    return fresh;
  }
  a.fill(fill);
  return a;
}

/** Gives arrays back for a later `take`; the caller must not use them again. */
export function recycle(...arrays: Typed[]): void {
  for (const a of arrays) {
    if (a.length === 0 || a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) continue;
    const k = key(a.constructor.name, a.length);
    let list = spare.get(k);
    if (list === undefined) {
      // Machines of another size: once many sizes have left arrays, drop them all, so a sweep
      // over RAM sizes holds the arrays of a few sizes at most.
      if (spare.size > 16) spare.clear();
      list = [];
      spare.set(k, list);
    }
    if (list.length < KEEP && !list.includes(a)) list.push(a);
  }
}

/** Arrays currently held for reuse (for tests). */
export function spareCount(): number {
  let n = 0;
  for (const l of spare.values()) n += l.length;
  return n;
}
