/**
 * Canonical JSON (object keys sorted at every level, no whitespace) and the scenario hash:
 * sha256 of the canonical JSON of the run parameters without the seed.
 */
import { createHash } from 'node:crypto';
import type { ExploreParams } from './types.js';

export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`canonicalJson: non-finite number ${v}`);
    return JSON.stringify(v) ?? 'null';
  }
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 of the canonical JSON of the params minus the seed (sched_salt, when set, is included). */
export function scenarioHash(p: ExploreParams): string {
  const { seed: _seed, ...rest } = p;
  return sha256(canonicalJson(rest));
}
