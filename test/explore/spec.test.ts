import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildJobs, parseGrid, parseRange, parseSeeds, splitValues, swarmDraw, DETERMINISM_EVERY } from '../../src/explore/spec.js';
import { canonicalJson, scenarioHash } from '../../src/explore/canonical.js';
import { ExploreError } from '../../src/explore/errors.js';
import { baseSets, formatSummary, median, summarize, wilson } from '../../src/explore/stats.js';
import { parseParamFilter } from '../../src/explore/filter.js';
import { SCENARIO, SMALL_SETS, smallSpec } from './helpers.js';
import type { RunRecord } from '../../src/explore/types.js';

test('seeds: ranges, single seeds and one-line errors', () => {
  assert.deepEqual(parseSeeds('1..100'), { from: 1, to: 100 });
  assert.deepEqual(parseSeeds('7'), { from: 7, to: 7 });
  assert.throws(() => parseSeeds('5..2'), (e: Error) => e instanceof ExploreError && /--seeds: empty seed range 5\.\.2/.test(e.message));
  assert.throws(() => parseSeeds('a..b'), /--seeds: expected a seed range such as 1\.\.100/);
  assert.throws(() => parseSeeds('-1..3'), /--seeds/);
  assert.throws(() => parseSeeds('1..99999999999999999999'), /--seeds: seeds must be integers/);
});

test('grid values split on commas outside brackets and quotes', () => {
  assert.deepEqual(splitValues('256MiB,512MiB'), ['256MiB', '512MiB']);
  assert.deepEqual(splitValues('[],[noop-ctor,slab], "a,b"'), ['[]', '[noop-ctor,slab]', '"a,b"']);
});

test('grid: every value goes through the scenario layer; errors name --grid and the field', () => {
  assert.deepEqual(parseGrid('machine.ram=128MiB,256MiB', SCENARIO, SMALL_SETS).values, ['128MiB', '256MiB']);
  assert.deepEqual(parseGrid('variants=[],noop-ctor', SCENARIO, SMALL_SETS).values, ['[]', 'noop-ctor']);
  const bad: [string, RegExp][] = [
    ['machine.rma=1GiB', /^--grid machine\.rma: unknown field; did you mean machine\.ram\?$/],
    ['machine.ram=', /^--grid machine\.ram: empty value list/],
    ['machine.ram=1GiB,', /^--grid machine\.ram: empty value list/],
    ['machine.ram=lots', /^--grid machine\.ram: expected a size such as 2GiB, got "lots"/],
    ['machine=1', /^--grid machine: machine is a section/],
    ['seed=1,2', /^--grid seed: the seed is swept by --seeds/],
    ['machine.cpus=1,1', /listed twice/],
    ['machine.ram=128MiB,131072KiB', /^--grid machine\.ram: 128MiB and 131072KiB are the same value; list each value once$/],
    ['variants=[noop-ctor,slab],[slab,noop-ctor]', /^--grid variants: \[noop-ctor,slab\] and \[slab,noop-ctor\] are the same value/],
    ['noequals', /^--grid noequals: expected path=value/],
  ];
  for (const [arg, re] of bad) {
    assert.throws(() => parseGrid(arg, SCENARIO, SMALL_SETS), (e: Error) => e instanceof ExploreError && re.test(e.message) && !e.message.includes('\n'), arg);
  }
});

test('ranges: numeric fields only, low before high, values resolved by the scenario layer', () => {
  const r = parseRange('machine.ram=128MiB..512MiB', SCENARIO, SMALL_SETS);
  assert.equal(r.lo, 128 * 2 ** 20);
  assert.equal(r.hi, 512 * 2 ** 20);
  assert.throws(() => parseRange('machine.cpus=4..1', SCENARIO, SMALL_SETS), /--range machine\.cpus: empty range 4\.\.1/);
  assert.throws(() => parseRange('profile=a..b', SCENARIO, SMALL_SETS), /--range profile: a range needs a number/);
  assert.throws(() => parseRange('machine.cpus=1..99', SCENARIO, SMALL_SETS), (e: Error) => /^--range machine\.cpus: expected an integer from 1 to 64/.test(e.message));
});

test('a value that breaks a rule with one of the user\'s --set fields names the value and keeps the --set', () => {
  // 40 copies of 48 MiB do not fit in 128 MiB of RAM plus the 64 MiB of swap the user set. The
  // scenario layer blames swap.size, which came from --set, not from the --grid or --range.
  const sets = [...SMALL_SETS, 'swap.size=64MiB'];
  const oneLine = (re: RegExp) => (e: Error) => e instanceof ExploreError && re.test(e.message) && !e.message.includes('\n');
  assert.throws(() => parseGrid('workload.copies=1,40', SCENARIO, sets), oneLine(/^--grid workload\.copies=40: --set swap\.size: 64MiB is too small for 40 copies/));
  assert.throws(() => parseRange('workload.copies=1..40', SCENARIO, sets), oneLine(/^--range workload\.copies=40: --set swap\.size: 64MiB is too small for 40 copies/));
  // Without the user's swap.size, the dimension's own flag is blamed, as before.
  assert.throws(() => parseGrid('swap.size=64MiB,2GiB', SCENARIO, [...SMALL_SETS, 'workload.copies=40']), oneLine(/^--grid swap\.size: 64MiB is too small/));
});

test('grid jobs: cartesian product, seed-major, first dimension slowest; hashes ignore the seed', () => {
  const spec = smallSpec({ grid: [parseGrid('profile=2.6.25-rc8,2.6.25', SCENARIO, SMALL_SETS), parseGrid('machine.cpus=1,2', SCENARIO, SMALL_SETS)], seeds: { from: 5, to: 6 } });
  const jobs = buildJobs(spec);
  assert.equal(jobs.length, 8);
  assert.deepEqual(jobs.slice(0, 4).map((j) => [j.seed, j.cell_label]), [
    [5, 'profile=2.6.25-rc8 machine.cpus=1'],
    [5, 'profile=2.6.25-rc8 machine.cpus=2'],
    [5, 'profile=2.6.25 machine.cpus=1'],
    [5, 'profile=2.6.25 machine.cpus=2'],
  ]);
  assert.equal(jobs[4]!.seed, 6);
  assert.equal(jobs[0]!.params.profile, '2.6.25-rc8');
  assert.equal(jobs[2]!.params.profile, '2.6.25');
  assert.equal(jobs[0]!.params.cpus, 1);
  assert.equal(jobs[0]!.params.ram_bytes, 128 * 2 ** 20);
  assert.deepEqual(jobs[0]!.sets, [...SMALL_SETS, 'profile=2.6.25-rc8', 'machine.cpus=1']);
  // Same cell, other seed: same scenario hash; other cell: another hash.
  assert.equal(jobs[0]!.scenario_hash, jobs[4]!.scenario_hash);
  assert.notEqual(jobs[0]!.scenario_hash, jobs[1]!.scenario_hash);
  assert.match(jobs[0]!.scenario_hash, /^[0-9a-f]{64}$/);
  // The determinism check: every DETERMINISM_EVERY-th job by default, all with checkAll.
  assert.deepEqual(jobs.map((j) => j.check), jobs.map((j) => j.index % DETERMINISM_EVERY === 0));
  assert.ok(buildJobs({ ...spec, checkAll: true }).every((j) => j.check));
  // Same spec, same jobs.
  assert.deepEqual(buildJobs(spec), jobs);
});

test('a grid combination the scenario layer refuses is a one-line error naming the cell', () => {
  const spec = smallSpec({ grid: [parseGrid('workload.copies=2,40', SCENARIO, SMALL_SETS), parseGrid('swap.size=128MiB,4GiB', SCENARIO, SMALL_SETS)] });
  assert.throws(() => buildJobs(spec), (e: Error) => /^cell workload\.copies=40 swap\.size=128MiB: .*swap\.size/.test(e.message) && !e.message.includes('\n'));
});

test('swarm: each seed draws its own cell and salt from its own stream, reproducibly, within the ranges', () => {
  const spec = smallSpec({
    swarm: true,
    seeds: { from: 1, to: 40 },
    grid: [parseGrid('machine.hz=100,250,1000', SCENARIO, SMALL_SETS)],
    ranges: [parseRange('machine.cpus=1..4', SCENARIO, SMALL_SETS), parseRange('workload.start_stagger=0..100ms', SCENARIO, SMALL_SETS)],
  });
  const jobs = buildJobs(spec);
  assert.equal(jobs.length, 40);
  assert.deepEqual(buildJobs(spec), jobs, 'same seeds, same draws');
  assert.deepEqual(swarmDraw(spec, 17).sets, jobs[16]!.sets.slice(SMALL_SETS.length));
  for (const j of jobs) {
    assert.ok(j.params.cpus >= 1 && j.params.cpus <= 4);
    assert.ok([100, 250, 1000].includes(j.params.hz));
    assert.ok(j.params.start_stagger_ns >= 0 && j.params.start_stagger_ns <= 100_000_000);
    assert.ok(Number.isInteger(j.params.sched_salt) && j.params.sched_salt! > 0);
    assert.equal(j.cell, -1);
  }
  // Swarm testing: dimensions are sometimes left out, and the draws differ between seeds.
  const labels = new Set(jobs.map((j) => j.cell_label));
  assert.ok(labels.size > 20, `distinct cells: ${labels.size}`);
  assert.ok(jobs.some((j) => !j.cell_label.includes('machine.hz')));
  assert.ok(jobs.some((j) => j.cell_label.includes('machine.hz')));
  assert.equal(new Set(jobs.map((j) => j.params.sched_salt)).size, 40);
});

test('canonical JSON sorts keys at every level; the scenario hash ignores only the seed', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: null }] }), '{"a":[{"c":null,"d":2}],"b":1}');
  const p = buildJobs(smallSpec())[0]!.params;
  assert.equal(scenarioHash(p), scenarioHash({ ...p, seed: 99 }));
  assert.notEqual(scenarioHash(p), scenarioHash({ ...p, sched_salt: 5 }));
  assert.notEqual(scenarioHash(p), scenarioHash({ ...p, cpus: p.cpus + 1 }));
});

test('Wilson interval and median', () => {
  const a = wilson(0, 10);
  assert.equal(a.lo, 0);
  assert.ok(Math.abs(a.hi - 0.2775) < 1e-3, String(a.hi));
  const b = wilson(5, 10);
  assert.ok(Math.abs(b.lo - 0.2366) < 1e-3 && Math.abs(b.hi - 0.7634) < 1e-3, JSON.stringify(b));
  const c = wilson(10, 10);
  assert.ok(Math.abs(c.lo - 0.7225) < 1e-3 && Math.abs(c.hi - 1) < 1e-12);
  assert.deepEqual(wilson(0, 0), { lo: 0, hi: 1 });
  assert.equal(median([]), null);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2);
});

test('summaries count verdicts per (profile, variants, cell) and take the median time to livelock', () => {
  const rec = (verdict: string, cell: string, ttl: number | null): RunRecord => ({ verdict, cell_label: cell, cell: 0, source: 'flagship', sets: [], profile: '2.6.25-rc8', variants: [], time_to_livelock_ns: ttl, determinism: 'once' }) as unknown as RunRecord;
  const g = summarize([rec('LIVELOCK', 'a', 30e9), rec('LIVELOCK', 'a', 10e9), rec('COMPLETED', 'a', null), rec('DEADLOCK', 'b', 5e9), rec('LIVELOCK', 'a', 20e9)]);
  assert.equal(g.length, 2);
  assert.deepEqual([g[0]!.runs, g[0]!.livelock, g[0]!.completed, g[0]!.deadlock], [4, 3, 1, 0]);
  assert.equal(g[0]!.median_time_to_livelock_ns, 20e9);
  assert.equal(g[1]!.median_time_to_livelock_ns, null);
  assert.deepEqual(g[0]!.livelock_ci95, [wilson(3, 4).lo, wilson(3, 4).hi]);
});

test('summaries count the stalled runs by stall kind, and the table shows one kind by name, several with counts', () => {
  const rec = (verdict: string, stall: string | null, cell = 'a'): RunRecord => ({ verdict, stall, cell_label: cell, cell: 0, source: 'flagship', sets: [], profile: '2.6.25-rc8', variants: [], time_to_livelock_ns: null, determinism: 'once' }) as unknown as RunRecord;
  const g = summarize([rec('LIVELOCK', 'sense-buffer'), rec('COMPLETED', null), rec('LIVELOCK', 'unreclaimable'), rec('LIVELOCK', 'sense-buffer'), rec('DEADLOCK', 'swap-full', 'b'), rec('COMPLETED', null, 'c')]);
  assert.deepEqual(g.map((x) => x.stalls), [{ 'sense-buffer': 2, unreclaimable: 1 }, { 'swap-full': 1 }, {}]);
  const table = formatSummary(g).split('\n');
  assert.match(table[0]!, /livelock rate \[95% CI\] {2}stall +med\. livelock at {2}squeezed {2}squeezes ended$/);
  // Records without squeeze data (made before MODEL_VERSION 17) show '-' there.
  assert.match(table[1]!, /\] {2}sense-buffer 2, unreclaimable 1 +- +- +-$/);
  assert.match(table[2]!, /\] {2}swap-full +- +- +-$/);
  assert.match(table[3]!, /\] {2}- +- +- +-$/);
});

test('summaries count the runs with a squeeze and the squeezes that ended before their run did', () => {
  const rec = (verdict: string, squeezes: number | null, ended: number | null, cell = 'a'): RunRecord =>
    ({ verdict, stall: null, squeezes, squeezes_ended: ended, cell_label: cell, cell: 0, source: 'flagship', sets: [], profile: '2.6.25-rc8', variants: [], time_to_livelock_ns: null, determinism: 'once' }) as unknown as RunRecord;
  // Cell a: a latch in its first squeeze, one run through two, one with none. Cell b: records
  // without squeezes (before MODEL_VERSION 17); cell c: with a count but not the ended one (17, 18).
  const g = summarize([rec('LIVELOCK', 1, 0), rec('COMPLETED', 2, 2), rec('COMPLETED', 0, 0), rec('COMPLETED', null, null, 'b'), rec('LIVELOCK', 1, null, 'c')]);
  assert.deepEqual(g.map((x) => [x.squeezed_runs, x.squeezes_ended]), [[2, 2], [null, null], [1, null]]);
  const table = formatSummary(g).split('\n');
  assert.match(table[1]!, / {2}2 +2$/);
  assert.match(table[2]!, / {2}- +-$/);
  assert.match(table[3]!, / {2}1 +-$/);
});

test('summaries keep runs of different scenarios, or other base --set values, apart, and name the scenario when there are several', () => {
  const rec = (source: string, sets: string[], cell_label: string, verdict: string): RunRecord =>
    ({ verdict, stall: null, cell_label, cell: 0, source, sets, profile: '2.6.25-rc8', variants: [], time_to_livelock_ns: null, determinism: 'once' }) as unknown as RunRecord;
  assert.deepEqual(baseSets(rec('flagship', ['machine.cpus=1', 'outputs.proc_snapshots=[1s, 2s]'], 'outputs.proc_snapshots=[1s, 2s]', 'COMPLETED')), ['machine.cpus=1']);
  assert.deepEqual(baseSets(rec('flagship', ['machine.cpus=1'], '', 'COMPLETED')), ['machine.cpus=1']);
  const g = summarize([
    rec('flagship', ['workload.copies=2'], 'workload.copies=2', 'LIVELOCK'),
    rec('small-box', ['workload.copies=2'], 'workload.copies=2', 'COMPLETED'),
    rec('flagship', ['live_patch.at=20s', 'workload.copies=2'], 'workload.copies=2', 'COMPLETED'),
    rec('flagship', ['workload.copies=2'], 'workload.copies=2', 'LIVELOCK'),
  ]);
  assert.deepEqual(g.map((x) => [x.scenario, x.runs, x.livelock]), [['flagship', 2, 2], ['small-box', 1, 0], ['flagship --set live_patch.at=20s', 1, 0]]);
  const table = formatSummary(g).split('\n');
  assert.match(table[0]!, /^scenario {26}profile\+variants/);
  assert.match(table[3]!, /^flagship --set live_patch\.at=20s {2}2\.6\.25-rc8/);
  // One scenario: no scenario column (the header above the table names it).
  assert.match(formatSummary(g.slice(0, 1)).split('\n')[0]!, /^profile\+variants/);
});

test('--param filters resolve through the scenario layer', () => {
  assert.deepEqual(parseParamFilter('machine.ram=256MiB'), { path: ['machine', 'ram_bytes'], value: 256 * 2 ** 20, dflt: 2816 * 2 ** 20 });
  assert.deepEqual(parseParamFilter('workload.copies=40'), { path: ['workload', 'copies'], value: 40, dflt: 4 });
  assert.deepEqual(parseParamFilter('sched_salt=3'), { path: ['sched_salt'], value: 3, dflt: 0 });
  assert.throws(() => parseParamFilter('machine.rma=1'), (e: Error) => /^--param machine\.rma: unknown field/.test(e.message));
  assert.throws(() => parseParamFilter('machine.ram=lots'), (e: Error) => /^--param machine\.ram: expected a size/.test(e.message));
});

test('finding command lines: replay and results --list name the store unless it is the default, quoted for the shell', async () => {
  const { replayCommandLine, resultsListCommandLine } = await import('../../src/explore/sweep.js');
  assert.equal(replayCommandLine(7, 'reclaimsim-results.db', 'reclaimsim-results.db'), 'reclaimsim replay 7');
  assert.equal(replayCommandLine(7, 'my runs.db', 'reclaimsim-results.db'), "reclaimsim replay 7 --db 'my runs.db'");
  assert.equal(resultsListCommandLine('DEADLOCK', 'reclaimsim-results.db', 'reclaimsim-results.db'), 'reclaimsim results --verdict DEADLOCK --list');
  assert.equal(resultsListCommandLine('LIVELOCK', 's.db', 'reclaimsim-results.db'), 'reclaimsim results --db s.db --verdict LIVELOCK --list');
});

test('variants resolve in the schema\'s order, so a kernel has one label and one scenario hash whatever order a file lists them in', () => {
  const a = buildJobs(smallSpec({ sets: [...SMALL_SETS, 'variants=[slab,noop-ctor]'] }))[0]!;
  const b = buildJobs(smallSpec({ sets: [...SMALL_SETS, 'variants=[noop-ctor,slab]'] }))[0]!;
  assert.deepEqual(a.params.variants, ['noop-ctor', 'slab']);
  assert.equal(a.scenario_hash, b.scenario_hash);
});
