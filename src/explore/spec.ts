/**
 * Sweep specs: seeds, a grid (cartesian product) or swarm ranges over scenario field paths, turned
 * into a list of jobs. Every value goes through the scenario layer (`resolveScenario` with the
 * value as a `--set`), so a bad value gets the scenario layer's own one-line message, relabelled
 * with the flag that carried it (`--grid machine.ram: expected a size such as 2GiB, got "lots"`).
 *
 * Grid mode: cells are the cartesian product of the --grid values (first --grid varies slowest);
 * jobs are seed-major (seed 1 in every cell, then seed 2, ...), so an interrupted sweep has
 * covered every cell evenly.
 *
 * Swarm mode: each seed draws its own cell from `Prng.seeded(seed).derive('swarm')`: every
 * dimension is, with probability 1/2, drawn from its range (uniform over a --grid list or an
 * integer --range) and otherwise left at the scenario's value (swarm testing's feature omission),
 * and the scheduler gets a salt (the same-instant scheduling perturbation). A draw the scenario
 * layer refuses (cross-field rules) is redrawn from the same stream, up to MAX_REDRAWS times.
 */
import { resolveScenario, type ResolvedScenario } from '../scenario/load.js';
import { ScenarioError } from '../scenario/errors.js';
import { paramsFromScenario } from '../scenario/params.js';
import { SCENARIO_FIELDS, type Desc, type LeafDesc } from '../scenario/schema.js';
import { Prng } from '../sim/prng.js';
import { scenarioHash } from './canonical.js';
import { ExploreError } from './errors.js';
import type { ExploreParams, Job } from './types.js';

/** The largest number of runs one sweep may plan. */
/** Runs one sweep may plan: each job holds its resolved parameters, so ten million would not fit in the heap. */
export const MAX_JOBS = 200_000;
/** Swarm draws refused by the scenario layer are redrawn this many times before giving up. */
export const MAX_REDRAWS = 50;
/** By default every DETERMINISM_EVERY-th job (job index 0, 20, 40, ...) is run twice and compared. */
export const DETERMINISM_EVERY = 20;

export interface ScenarioText {
  /** The scenario argument as the user gave it ("flagship", "my.yaml"). */
  source: string;
  /** Label for messages. */
  label: string;
  /** Bundled name, if any. */
  name?: string;
  text: Uint8Array | string;
}

export interface SeedRange {
  from: number;
  to: number;
}

export interface GridDim {
  path: string;
  /** Values as written ("256MiB", "[noop-ctor]"). */
  values: string[];
}

export interface RangeDim {
  path: string;
  lo: number;
  hi: number;
  /** Values are rounded down to a multiple of this (page or MiB multiples for sizes). */
  step: number;
  leaf: LeafDesc;
}

export interface SweepSpec {
  scenario: ScenarioText;
  /** --set overrides applied to every cell. */
  sets: string[];
  seeds: SeedRange;
  grid: GridDim[];
  ranges: RangeDim[];
  swarm: boolean;
  /** Run every job twice (true), every DETERMINISM_EVERY-th (undefined/false). */
  checkAll: boolean;
}

// ---------------------------------------------------------------------------------------------
// Parsing flags.

/** "1..100" (inclusive) or "7" (one seed). */
export function parseSeeds(text: string, flag = '--seeds'): SeedRange {
  const t = text.trim();
  const one = /^\d+$/.exec(t);
  const m = /^(\d+)\.\.(\d+)$/.exec(t);
  if (!one && !m) throw new ExploreError(`${flag}: expected a seed range such as 1..100 (or one seed such as 7), got ${JSON.stringify(text.slice(0, 40))}`);
  const from = Number(one ? t : m![1]);
  const to = Number(one ? t : m![2]);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new ExploreError(`${flag}: seeds must be integers from 0 to ${Number.MAX_SAFE_INTEGER}, got ${text}`);
  if (to < from) throw new ExploreError(`${flag}: empty seed range ${from}..${to}; write the smaller seed first, such as ${to}..${from}`);
  return { from, to };
}

/** Splits "a,[b,c],d" on commas outside brackets and quotes. */
export function splitValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur.trim());
  return out;
}

function descAt(path: string): Desc | undefined {
  let d: Desc | undefined = SCENARIO_FIELDS;
  for (const seg of path.split('.')) {
    if (d?.kind !== 'section' || !Object.hasOwn(d.fields, seg)) return undefined;
    d = d.fields[seg];
  }
  return d;
}

/** The resolved-object path of a file path: "machine.ram" -> ["machine", "ram_bytes"]. */
export function resolvedPath(path: string): string[] {
  const out: string[] = [];
  let d: Desc | undefined = SCENARIO_FIELDS;
  for (const seg of path.split('.')) {
    if (d?.kind !== 'section') throw new ExploreError(`${path}: not a scenario field`);
    d = d.fields[seg];
    if (d === undefined) throw new ExploreError(`${path}: not a scenario field`);
    out.push(d.resolvedKey);
  }
  return out;
}

/** The resolved value at a file path ("machine.ram" -> 1073741824). */
export function valueAt(s: ResolvedScenario, path: string): unknown {
  let v: unknown = s;
  for (const k of resolvedPath(path)) v = (v as Record<string, unknown>)[k];
  return v;
}

/** The file form of a resolved value at `path` (1073741824 -> "1GiB"). */
export function inputForm(path: string, v: unknown): string {
  const d = descAt(path);
  const x = d?.kind === 'leaf' ? d.toInput(v) : v;
  return typeof x === 'string' ? x : JSON.stringify(x);
}

/**
 * A scenario error met while checking a --grid/--range value, worded for the flag. The scenario
 * layer blames the first field the user set: the dimension itself, or, for a rule across fields,
 * maybe one of the user's own --set fields, which must keep its name and say which value broke it.
 */
function relabel(e: unknown, flag: string, path?: string, value?: string): never {
  if (e instanceof ScenarioError) {
    const blamed = /^--set ([^:]+): /.exec(e.message)?.[1];
    if (path === undefined || value === undefined || blamed === undefined || blamed === path) throw new ExploreError(e.message.replace(/^--set /, `${flag} `));
    // An element or member of the dimension (variants[0]) is the dimension itself to the user.
    if (blamed.startsWith(`${path}[`) || blamed.startsWith(`${path}.`)) throw new ExploreError(`${flag} ${path}${e.message.slice(`--set ${blamed}`.length)}`);
    throw new ExploreError(`${flag} ${path}=${value}: ${e.message}`);
  }
  throw e;
}

function checkPath(flag: string, path: string, scenario: ScenarioText): void {
  if (path === 'seed') throw new ExploreError(`${flag} seed: the seed is swept by --seeds, such as --seeds 1..100`);
  if (path === 'name') throw new ExploreError(`${flag} name: the scenario name is not a parameter; sweep a field such as machine.ram`);
  // Unknown paths, sections: the scenario layer's messages ("unknown field; did you mean machine.ram?").
  try {
    const d = descAt(path);
    if (d === undefined || d.kind === 'section') resolveScenario({ text: scenario.text, file: scenario.label, sets: [`${path}=`] });
  } catch (e) {
    relabel(e, flag);
  }
}

/** "--grid machine.ram=256MiB,512MiB" -> a dimension; each value is checked through the scenario layer. */
export function parseGrid(arg: string, scenario: ScenarioText, baseSets: readonly string[], flag = '--grid'): GridDim {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new ExploreError(`${flag} ${arg.slice(0, 80)}: expected path=value,value,..., such as machine.ram=256MiB,512MiB`);
  const path = arg.slice(0, eq).trim();
  checkPath(flag, path, scenario);
  const valueText = arg.slice(eq + 1);
  const values = valueText.trim() === '' ? [] : splitValues(valueText);
  if (values.length === 0 || values.some((v) => v === '')) {
    throw new ExploreError(`${flag} ${path}: empty value list; give one or more values separated by commas, such as ${path}=${inputForm(path, valueAt(resolveScenario({ text: scenario.text, file: scenario.label }), path))}`);
  }
  if (new Set(values).size !== values.length) throw new ExploreError(`${flag} ${path}: a value is listed twice; list each value once`);
  // Two spellings of one value (128MiB and 131072KiB; variants in another order) would make two
  // cells of the same runs: compare the values as the scenario layer resolves them.
  const seen = new Map<string, string>();
  for (const v of values) {
    let s: ResolvedScenario;
    try {
      s = resolveScenario({ text: scenario.text, file: scenario.label, sets: [...baseSets, `${path}=${v}`] });
    } catch (e) {
      relabel(e, flag, path, v);
    }
    const r = valueAt(s, path);
    const key = JSON.stringify(path === 'variants' && Array.isArray(r) ? [...(r as string[])].sort() : r);
    const twin = seen.get(key);
    if (twin !== undefined) throw new ExploreError(`${flag} ${path}: ${twin} and ${v} are the same value; list each value once`);
    seen.set(key, v);
  }
  return { path, values };
}

/** "--range machine.ram=128MiB..512MiB" (swarm): integer, size, duration or rate fields. */
export function parseRange(arg: string, scenario: ScenarioText, baseSets: readonly string[], flag = '--range'): RangeDim {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new ExploreError(`${flag} ${arg.slice(0, 80)}: expected path=low..high, such as machine.ram=128MiB..512MiB`);
  const path = arg.slice(0, eq).trim();
  checkPath(flag, path, scenario);
  const d = descAt(path)!;
  if (d.kind !== 'leaf' || !['integer', 'size', 'duration', 'rate'].includes(d.type)) {
    throw new ExploreError(`${flag} ${path}: a range needs a number, size, duration or rate field; list the values with --grid ${path}=a,b instead`);
  }
  const m = /^(.*?)\.\.(.*)$/.exec(arg.slice(eq + 1).trim());
  if (!m || m[1]!.trim() === '' || m[2]!.trim() === '') throw new ExploreError(`${flag} ${path}: expected low..high, such as ${path}=${d.type === 'size' ? '128MiB..512MiB' : d.type === 'integer' ? '1..4' : d.type === 'rate' ? '20MiB/s..120MiB/s' : '0..10ms'}`);
  const ends: number[] = [];
  for (const v of [m[1]!.trim(), m[2]!.trim()]) {
    let s: ResolvedScenario;
    try {
      s = resolveScenario({ text: scenario.text, file: scenario.label, sets: [...baseSets, `${path}=${v}`] });
    } catch (e) {
      relabel(e, flag, path, v);
    }
    ends.push(valueAt(s, path) as number);
  }
  const [lo, hi] = ends as [number, number];
  if (hi < lo) throw new ExploreError(`${flag} ${path}: empty range ${m[1]!.trim()}..${m[2]!.trim()}; write the smaller value first`);
  const MiB = 1 << 20;
  const step = d.type === 'size' ? (lo % MiB === 0 && hi % MiB === 0 ? MiB : 4096) : d.type === 'duration' ? (lo % 1000 === 0 && hi % 1000 === 0 ? 1000 : 1) : d.type === 'rate' ? (lo % MiB === 0 && hi % MiB === 0 ? MiB : lo % 1024 === 0 && hi % 1024 === 0 ? 1024 : 1) : 1;
  return { path, lo, hi, step, leaf: d };
}

/**
 * Default swarm dimensions, used by --swarm when no --grid or --range is given: the perturbations
 * and device/scheduler knobs that do not change the machine's size.
 */
export const DEFAULT_SWARM = {
  grid: ['machine.hz=100,250,1000', 'device.can_queue=1,4,31', 'device.queue_depth=1,4,31', 'machine.cache_line=64,128'],
  ranges: ['machine.cpus=1..4', 'device.service.transfer_rate=20MiB/s..120MiB/s', 'device.service.seek_jitter=0..4ms', 'workload.start_stagger=0..100ms'],
};

// ---------------------------------------------------------------------------------------------
// Spec -> jobs.

function makeJob(spec: SweepSpec, index: number, cell: number, cellSets: string[], seed: number, salt: number | undefined, s: ResolvedScenario): Job {
  const base = paramsFromScenario(s);
  const params: ExploreParams = { ...base, seed };
  // A swarm draw replaces the scenario's own salt (a salt of 0 is no perturbation).
  if (salt !== undefined) {
    if (salt !== 0) params.sched_salt = salt;
    else delete params.sched_salt;
  }
  return {
    index,
    cell,
    cell_label: cellSets.join(' '),
    source: spec.scenario.source,
    sets: [...spec.sets, ...cellSets],
    seed,
    params,
    scenario_hash: scenarioHash(params),
    scenario_json: JSON.stringify({ ...s, seed, sched_salt: params.sched_salt ?? 0 }),
    check: spec.checkAll || index % DETERMINISM_EVERY === 0,
  };
}

function resolveCell(spec: SweepSpec, cellSets: string[]): ResolvedScenario {
  try {
    return resolveScenario({ text: spec.scenario.text, file: spec.scenario.label, ...(spec.scenario.name !== undefined ? { name: spec.scenario.name } : {}), sets: [...spec.sets, ...cellSets] });
  } catch (e) {
    if (e instanceof ScenarioError) throw new ExploreError(`cell ${cellSets.join(' ') || '(base)'}: ${e.message}`);
    throw e;
  }
}

/** The number of jobs a spec plans (before building them). */
export function jobCount(spec: SweepSpec): number {
  const seeds = spec.seeds.to - spec.seeds.from + 1;
  const cells = spec.swarm ? 1 : spec.grid.reduce((n, g) => n * g.values.length, 1);
  return seeds * cells;
}

/** One swarm draw for a seed: the --set strings of the dimensions drawn, and the scheduler salt. */
export function swarmDraw(spec: SweepSpec, seed: number): { sets: string[]; salt: number; scenario: ResolvedScenario } {
  const rng = Prng.seeded(seed).derive('swarm');
  let lastError: unknown;
  for (let attempt = 0; attempt <= MAX_REDRAWS; attempt++) {
    const sets: string[] = [];
    for (const g of spec.grid) if (rng.chance(1, 2)) sets.push(`${g.path}=${g.values[rng.below(g.values.length)]!}`);
    for (const r of spec.ranges) {
      if (!rng.chance(1, 2)) continue;
      const lo = Math.ceil(r.lo / r.step);
      const hi = Math.floor(r.hi / r.step);
      const v = hi >= lo ? rng.range(lo, hi) * r.step : r.lo;
      sets.push(`${r.path}=${inputForm(r.path, v)}`);
    }
    const salt = 1 + rng.below(0x7fffffff);
    try {
      return { sets, salt, scenario: resolveScenario({ text: spec.scenario.text, file: spec.scenario.label, sets: [...spec.sets, ...sets] }) };
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      lastError = e;
    }
  }
  throw new ExploreError(`--swarm: seed ${seed}: ${MAX_REDRAWS + 1} draws in a row were refused by the scenario layer (last: ${(lastError as Error).message}); narrow the ranges`);
}

/** Every job of a spec, in order. */
export function buildJobs(spec: SweepSpec): Job[] {
  const n = jobCount(spec);
  if (n > MAX_JOBS) throw new ExploreError(`the sweep plans ${n} runs; at most ${MAX_JOBS}: narrow --seeds or the grid`);
  const jobs: Job[] = [];
  if (spec.swarm) {
    for (let seed = spec.seeds.from; seed <= spec.seeds.to; seed++) {
      const d = swarmDraw(spec, seed);
      jobs.push(makeJob(spec, jobs.length, -1, d.sets, seed, d.salt, d.scenario));
    }
    return jobs;
  }
  // Cartesian product, first dimension slowest.
  const cells: string[][] = [[]];
  for (const g of spec.grid) {
    const next: string[][] = [];
    for (const c of cells) for (const v of g.values) next.push([...c, `${g.path}=${v}`]);
    cells.splice(0, cells.length, ...next);
  }
  const resolved = cells.map((c) => resolveCell(spec, c));
  for (let seed = spec.seeds.from; seed <= spec.seeds.to; seed++) {
    cells.forEach((c, i) => jobs.push(makeJob(spec, jobs.length, i, c, seed, undefined, resolved[i]!)));
  }
  return jobs;
}
