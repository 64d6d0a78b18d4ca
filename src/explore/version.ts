/**
 * Model version stamped on every stored run: the package version plus MODEL_VERSION, bumped by
 * hand whenever a model change can alter results for the same parameters and seed. Records made by
 * another model version are never mixed with (or skipped on resume by) this one.
 */
import { readFileSync } from 'node:fs';

/** Bump when the model's behaviour changes (same params + seed may give another result). */
export const MODEL_VERSION = 23;

let cached: string | undefined;

/** "0.1.0+m1": package.json version and MODEL_VERSION. */
export function modelVersion(): string {
  if (cached === undefined) {
    let pkg = 'unknown';
    try {
      // dist/src/explore/version.js -> package.json at the repo root.
      const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
      pkg = String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown');
    } catch {
      // Keep "unknown": the store still works, records just say so.
    }
    cached = `${pkg}+m${MODEL_VERSION}`;
  }
  return cached;
}
