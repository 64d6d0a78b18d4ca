/**
 * Units in scenario files: sizes (bytes), durations (nanoseconds) and rates (bytes per second).
 *
 * Every parser is exact: it works on the decimal digits with BigInt, so "1.5GiB" is accepted
 * (1610612736 bytes) while "1.3B" or "0.5ns" is refused instead of being rounded. Every result is a
 * non-negative safe integer. Each formatter picks the largest unit that represents the value
 * exactly, so format -> parse round-trips.
 *
 * Syntax (docs/scenario-format.md):
 *   size      1024 | 4096B | 512KiB | 512K | 2GiB | 2G | 1.5GiB | 500MB (decimal) | 1TiB
 *             K, M, G, T and KiB, MiB, GiB, TiB are binary (1024^n); kB, MB, GB, TB are decimal
 *             (1000^n). "KB" is refused as ambiguous.
 *   duration  10ns | 100us | 100µs | 250ms | 5s | 2m | 1h | 0 (a bare number must be 0)
 *   rate      a size followed by "/s": 60MiB/s, 200MB/s
 *
 * Pure: no host access. Used by schema.ts (parsing) and load.ts (formatting resolved values).
 */

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;

/** Size units and their multipliers, in the order the formatter prefers (largest first). */
const SIZE_UNITS: Record<string, bigint> = {
  TiB: 1n << 40n,
  T: 1n << 40n,
  TB: 10n ** 12n,
  GiB: 1n << 30n,
  G: 1n << 30n,
  GB: 10n ** 9n,
  MiB: 1n << 20n,
  M: 1n << 20n,
  MB: 10n ** 6n,
  KiB: 1n << 10n,
  K: 1n << 10n,
  kB: 1000n,
  B: 1n,
  '': 1n,
};

const DURATION_UNITS: Record<string, bigint> = {
  h: 3600n * 10n ** 9n,
  m: 60n * 10n ** 9n,
  s: 10n ** 9n,
  ms: 10n ** 6n,
  us: 1000n,
  'µs': 1000n,
  ns: 1n,
};

/** A number with an optional unit: "1.5GiB", "250 ms", "4096". Exported for the JSON Schema patterns. */
export const SIZE_PATTERN = '^\\s*[0-9]+(\\.[0-9]+)?\\s*(B|K|KiB|kB|M|MiB|MB|G|GiB|GB|T|TiB|TB)?\\s*$';
export const DURATION_PATTERN = '^\\s*([0-9]+(\\.[0-9]+)?\\s*(ns|us|µs|ms|s|m|h)|0+)\\s*$';
export const RATE_PATTERN = '^\\s*[0-9]+(\\.[0-9]+)?\\s*(B|K|KiB|kB|M|MiB|MB|G|GiB|GB|T|TiB|TB)?\\s*/\\s*s\\s*$';

const NUMBER_WITH_UNIT = /^\s*([0-9]+)(?:\.([0-9]+))?\s*([A-Za-zµ]*)\s*$/;

/** The outcome of parsing a unit-bearing value: the integer, or why it was refused (a phrase). */
export type Parsed = { ok: true; value: number } | { ok: false; why: string };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** digits.frac * mult, exactly, or an explanation. */
function scale(intDigits: string, fracDigits: string | undefined, mult: bigint, what: string): Parsed {
  if (intDigits.length + (fracDigits?.length ?? 0) > 40) return { ok: false, why: `${what} is too large` };
  const frac = fracDigits ?? '';
  const den = 10n ** BigInt(frac.length);
  const num = BigInt(intDigits + frac) * mult;
  if (num % den !== 0n) return { ok: false, why: `${what} is not a whole number of ${what === 'duration' ? 'nanoseconds' : 'bytes'}` };
  const v = num / den;
  if (v > MAX_SAFE) return { ok: false, why: `${what} is too large` };
  return { ok: true, value: Number(v) };
}

/** Parses a size: a non-negative integer (bytes) or a string with a unit. */
export function parseSize(v: unknown): Parsed {
  if (typeof v === 'number') {
    return Number.isSafeInteger(v) && v >= 0 ? { ok: true, value: v } : { ok: false, why: 'not a size' };
  }
  if (typeof v !== 'string') return { ok: false, why: 'not a size' };
  const m = NUMBER_WITH_UNIT.exec(v);
  if (!m) return { ok: false, why: 'not a size' };
  const unit = m[3]!;
  if (unit === 'KB') return { ok: false, why: 'ambiguous unit "KB" (use KiB for 1024 or kB for 1000)' };
  const mult = SIZE_UNITS[unit];
  if (mult === undefined || !Object.hasOwn(SIZE_UNITS, unit)) return { ok: false, why: `unknown size unit "${unit}"` };
  return scale(m[1]!, m[2], mult, 'size');
}

/** Parses a duration: a string with a unit, or 0. */
export function parseDuration(v: unknown): Parsed {
  if (v === 0) return { ok: true, value: 0 };
  if (typeof v === 'number') return v > 0 && Number.isFinite(v) ? { ok: false, why: 'a duration needs a unit' } : { ok: false, why: 'not a duration' };
  if (typeof v !== 'string') return { ok: false, why: 'not a duration' };
  const m = NUMBER_WITH_UNIT.exec(v);
  if (!m) return { ok: false, why: 'not a duration' };
  const unit = m[3]!;
  if (unit === '') {
    return /^0+$/.test(m[1]!) && !m[2] ? { ok: true, value: 0 } : { ok: false, why: 'a duration needs a unit' };
  }
  const mult = DURATION_UNITS[unit];
  if (mult === undefined || !Object.hasOwn(DURATION_UNITS, unit)) return { ok: false, why: `unknown duration unit "${unit}"` };
  return scale(m[1]!, m[2], mult, 'duration');
}

/** Parses a rate "<size>/s" into bytes per second. */
export function parseRate(v: unknown): Parsed {
  if (typeof v !== 'string') return { ok: false, why: 'not a rate' };
  const slash = v.lastIndexOf('/');
  if (slash < 0 || v.slice(slash + 1).trim() !== 's') return { ok: false, why: 'not a rate' };
  return parseSize(v.slice(0, slash));
}

function formatWith(v: number, units: [string, bigint][], zero: string): string {
  if (v === 0) return zero;
  const b = BigInt(v);
  for (const [name, mult] of units) {
    if (b % mult === 0n) return `${b / mult}${name}`;
  }
  return String(v);
}

const SIZE_FORMAT: [string, bigint][] = [
  ['TiB', 1n << 40n],
  ['GiB', 1n << 30n],
  ['MiB', 1n << 20n],
  ['KiB', 1n << 10n],
  ['B', 1n],
];
const DURATION_FORMAT: [string, bigint][] = [
  ['h', DURATION_UNITS['h']!],
  ['m', DURATION_UNITS['m']!],
  ['s', DURATION_UNITS['s']!],
  ['ms', DURATION_UNITS['ms']!],
  ['us', DURATION_UNITS['us']!],
  ['ns', 1n],
];

/** Formats bytes with the largest exact binary unit: 1073741824 -> "1GiB", 1000 -> "1000B". */
export function formatSize(bytes: number): string {
  return formatWith(bytes, SIZE_FORMAT, '0B');
}

/** Formats nanoseconds with the largest exact unit: 4000000 -> "4ms", 90e9 -> "90s". */
export function formatDuration(ns: number): string {
  return formatWith(ns, DURATION_FORMAT, '0s');
}

/** Formats bytes per second: 62914560 -> "60MiB/s". */
export function formatRate(bytesPerS: number): string {
  return `${formatSize(bytesPerS)}/s`;
}
