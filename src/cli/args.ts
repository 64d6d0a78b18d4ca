/**
 * Parsers for numeric and unit-bearing flags. Each throws a UsageError naming the flag.
 */
import { UsageError } from './exit.js';

export function parseIntFlag(flag: string, min: number, max: number): (v: string) => number {
  return (v: string) => {
    if (!/^-?\d+$/.test(v.trim())) throw new UsageError(`${flag}: expected an integer, got "${v}"`);
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag}: expected an integer from ${min} to ${max}, got ${v}`);
    return n;
  };
}

/** A flag whose value must be one of `choices` (exact match). */
export function parseChoiceFlag<T extends string>(flag: string, choices: readonly T[]): (v: string) => T {
  return (v: string) => {
    if (!(choices as readonly string[]).includes(v)) throw new UsageError(`${flag}: expected one of ${choices.join(', ')}, got "${v}"`);
    return v as T;
  };
}
