/** Runs the reclaimsim binary for the scenario CLI tests (async, so samples can run in parallel). */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// dist/test/cli/*.js -> repo root.
export const root = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function cli(args: string[], nodeArgs: string[] = [], timeoutMs = 20_000): Promise<CliResult> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeArgs, 'bin/reclaimsim.js', ...args],
      { cwd: root, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, RECLAIMSIM_DEBUG: '' } },
      (err, stdout, stderr) => {
        const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ status, stdout, stderr, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
      },
    );
  });
}

/** Runs `jobs` with at most `n` at a time, keeping order. */
export async function pool<T>(jobs: (() => Promise<T>)[], n = 6): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

/** The error contract: exit 1, nothing on stdout, exactly one line on stderr, no stack trace. */
export function oneLineError(r: CliResult): string | undefined {
  if (r.status !== 1) return `exit ${r.status}`;
  const lines = r.stderr.split('\n');
  if (lines.length !== 2 || lines[1] !== '') return `stderr is not one line: ${JSON.stringify(r.stderr.slice(0, 500))}`;
  if (!lines[0]!.startsWith('reclaimsim: ')) return `stderr does not start with "reclaimsim: ": ${lines[0]}`;
  if (/\bat .*:\d+:\d+\)?$|unexpected error/.test(lines[0]!)) return `looks like a crash: ${lines[0]}`;
  return undefined;
}
