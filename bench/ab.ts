/**
 * A/B of two builds on a noisy machine (BENCHMARKS.md, third session): the per-run host cost of
 * the flagship (rc8 and the fix) measured in rounds that alternate the two checkouts, each round
 * a fresh process per build (bench/ab-probe.ts), with the order flipped every round so that a
 * drift in the machine's speed falls on both alike. It reports, per profile, the median of the
 * paired differences (B - A) and in how many rounds B was faster: on a VM whose speed wanders by
 * tens of percent within minutes, single measurements of either build say little.
 *
 *   npm run build && node dist/bench/ab.js <checkout A> <checkout B> [--rounds N] [--reps N]
 *     [--seeds N] [--set path=value ...] [--json]
 *
 * A checkout is a directory with a build (`dist/`), for example a `git worktree` of an older commit
 * after `npx tsc -p tsconfig.json` with node_modules linked in. Wall-clock use is allowed here
 * (bench/ is not model code).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './median.js';

function usage(msg: string): never {
  process.stderr.write(`bench ab: ${msg}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const roots: string[] = [];
const sets: string[] = [];
let rounds = 6;
let reps = 2;
let seeds = 3;
let json = false;
const int = (flag: string, v: string | undefined, lo: number, hi: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) usage(`${flag}: expected an integer from ${lo} to ${hi}, got ${JSON.stringify(v ?? '')}`);
  return n;
};
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--rounds') rounds = int(a, args[++i], 1, 100);
  else if (a === '--reps') reps = int(a, args[++i], 1, 20);
  else if (a === '--seeds') seeds = int(a, args[++i], 1, 20);
  else if (a === '--set') {
    const v = args[++i];
    if (v === undefined || !v.includes('=')) usage(`--set: expected path=value, such as machine.ram=2GiB`);
    sets.push(v);
  } else if (a === '--json') json = true;
  else if (a.startsWith('--')) usage(`unknown option ${a} (expected --rounds, --reps, --seeds, --set, --json)`);
  else roots.push(resolve(a));
}
if (roots.length !== 2) usage(`expected two checkouts (A and B), got ${roots.length}`);
for (const r of roots) {
  if (!existsSync(join(r, 'dist', 'src', 'scenario', 'run.js'))) usage(`${r}: no build there (dist/src/scenario/run.js); run npx tsc -p tsconfig.json in it first`);
}

const probe = join(dirname(fileURLToPath(import.meta.url)), 'ab-probe.js');
const PROFILES = ['2.6.25-rc8', '2.6.25'] as const;
type Round = Record<(typeof PROFILES)[number], number>;

function measure(root: string): Round {
  const r = spawnSync(process.execPath, [probe, root, String(reps), String(seeds), ...sets], { encoding: 'utf8' });
  if (r.status !== 0) usage(`${root}: the probe failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').pop() ?? ''}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Round;
}

const a: Round[] = [];
const b: Round[] = [];
for (let i = 0; i < rounds; i++) {
  // Flip the order each round: A B, B A, A B, ...
  if (i % 2 === 0) {
    a.push(measure(roots[0]!));
    b.push(measure(roots[1]!));
  } else {
    b.push(measure(roots[1]!));
    a.push(measure(roots[0]!));
  }
  if (!json) process.stdout.write(`round ${i + 1}: ${PROFILES.map((p) => `${p} A ${a[i]![p].toFixed(1)} ms, B ${b[i]![p].toFixed(1)} ms`).join('; ')}\n`);
}
const summary = PROFILES.map((p) => {
  const d = a.map((x, i) => b[i]![p] - x[p]);
  return {
    profile: p,
    median_a_ms: median(a.map((x) => x[p])),
    median_b_ms: median(b.map((x) => x[p])),
    median_diff_ms: median(d),
    b_faster_rounds: d.filter((x) => x < 0).length,
    rounds,
  };
});
if (json) process.stdout.write(`${JSON.stringify({ a: roots[0], b: roots[1], reps, seeds, sets, summary })}\n`);
else {
  for (const s of summary) {
    const pct = (100 * s.median_diff_ms) / s.median_a_ms;
    process.stdout.write(`${s.profile}: median A ${s.median_a_ms.toFixed(1)} ms, B ${s.median_b_ms.toFixed(1)} ms; median paired B - A ${s.median_diff_ms.toFixed(1)} ms (${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%); B faster in ${s.b_faster_rounds} of ${s.rounds} rounds\n`);
  }
}
