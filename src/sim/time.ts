/**
 * Simulated time: an integer count of nanoseconds since boot, always a safe integer.
 *
 * Jiffies are derived from time and HZ with integer arithmetic only, so HZ values that do not
 * divide 10^9 (HZ=300) still give exact, platform-independent results: jiffy j begins at
 * ceil(j * 10^9 / HZ) ns, the first nanosecond at which nsToJiffies gives j.
 */
import { assert } from './assert.js';

export const NSEC_PER_USEC = 1_000;
export const NSEC_PER_MSEC = 1_000_000;
export const NSEC_PER_SEC = 1_000_000_000;

/** Throws unless `t` is a non-negative safe integer (a valid simulated instant or duration). */
export function assertTimeNs(t: number, what = 'time'): void {
  assert(Number.isSafeInteger(t) && t >= 0, `${what} must be a non-negative safe integer of nanoseconds, got ${t}`);
}

/** Number of whole jiffies elapsed at `ns` for a given HZ. */
export function nsToJiffies(ns: number, hz: number): number {
  const sec = Math.floor(ns / NSEC_PER_SEC);
  const rem = ns - sec * NSEC_PER_SEC;
  return sec * hz + Math.floor((rem * hz) / NSEC_PER_SEC);
}

/** The instant (ns) at which jiffy `j` begins for a given HZ. */
export function jiffiesToNs(j: number, hz: number): number {
  const sec = Math.floor(j / hz);
  const rem = j - sec * hz;
  return sec * NSEC_PER_SEC + Math.ceil((rem * NSEC_PER_SEC) / hz);
}

/** Formats ns as seconds with microseconds, the way dmesg prints timestamps: "12.345678". */
export function formatSeconds(ns: number): string {
  const us = Math.floor(ns / NSEC_PER_USEC);
  const sec = Math.floor(us / 1_000_000);
  const frac = String(us - sec * 1_000_000).padStart(6, '0');
  return `${sec}.${frac}`;
}
