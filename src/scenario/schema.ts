/**
 * The scenario schema: ONE declaration per field, and everything else derived from it.
 *
 * Each field below is declared once with its type, default, unit and a one-line description. From
 * these declarations we derive:
 *   - the zod schema that validates a parsed document and resolves it (`scenarioSchema`);
 *   - the TypeScript type of a resolved scenario (`ResolvedScenario`);
 *   - the JSON Schema for editors (`scenarioJsonSchema()`, `reclaimsim schema`);
 *   - docs/scenario-format.md (schema-docs.ts);
 *   - the `--set path=value` overrides and "did you mean" suggestions (load.ts walks `SCENARIO_FIELDS`).
 *
 * Naming convention: a file says `machine.ram: 1GiB`; the resolved object says
 * `machine.ram_bytes: 1073741824`. Resolved values are integers and their field names carry the unit
 * (`_bytes`, `_ns`, `_bytes_per_s`); fields without a suffix are counts, enums or flags. So model
 * code never guesses a unit, and a scenario file stays readable.
 *
 * Defaults live here and nowhere else (scenarios/flagship.yaml mirrors them; a test checks that).
 * Cross-field rules (a scenario that validates field by field but cannot work) are in
 * `scenarioProblems` at the end of this file.
 *
 * Pure: no host access. Imports only zod, units and the tracepoint table.
 */
import { z } from 'zod';
import { TRACEPOINTS, tracepointMatches } from '../kernel/trace.js';
import { SIZEOF_DENTRY } from '../fs/dcache.js';
import { SIZEOF_SHMEM_INODE_INFO } from '../mm/shmem.js';
import { BLK_DEF_MAX_SECTORS } from '../block/blk-core.js';
import { worst_service_ns } from '../scsi/sim_disk.js';
import {
  DURATION_PATTERN,
  formatDuration,
  formatRate,
  formatSize,
  GiB,
  KiB,
  MiB,
  NS_PER_MS,
  NS_PER_S,
  parseDuration,
  parseRate,
  parseSize,
  RATE_PATTERN,
  SIZE_PATTERN,
  TiB,
} from './units.js';

// ---------------------------------------------------------------------------------------------
// Field descriptors: what docs, overrides, suggestions and error messages need to know.

export interface LeafDesc {
  readonly kind: 'leaf';
  /** One-line description. */
  readonly doc: string;
  /** Type as written in a file, for docs and errors: "size", "duration", "integer", ... */
  readonly type: string;
  /** Unit of the resolved value ("bytes", "ns", "bytes/s") or "" for counts, enums and flags. */
  readonly unit: string;
  /** Default as written in a file. */
  readonly default: unknown;
  /** What a valid value looks like, after "expected": `a size such as 2GiB`. */
  readonly expect: string;
  /** Appended to range errors at the low end: why the minimum exists. */
  readonly minWhy: string;
  /** Field name in the resolved object (`ram_bytes`). Set by the enclosing section. */
  resolvedKey: string;
  /** Resolved value back to the form a file would use (`1073741824` -> `"1GiB"`). */
  readonly toInput: (v: unknown) => unknown;
  /** For lists: the element descriptor. */
  readonly element?: Desc;
  /** Accepted range, for docs, when `expect` does not say it ("a size from 64MiB to 1TiB, a multiple of 4KiB"). */
  readonly range?: string;
  /** Why a refused value is wrong, when more can be said than `expect` (e.g. "a duration needs a unit"). */
  readonly explain?: (found: unknown) => string;
}

export interface SectionDesc {
  readonly kind: 'section';
  readonly doc: string;
  readonly fields: Readonly<Record<string, Desc>>;
  resolvedKey: string;
}

export type Desc = LeafDesc | SectionDesc;

/** A declared field: its zod schema (with default and description), its unit suffix and descriptor. */
interface FieldDef<Z extends z.ZodType = z.ZodType, S extends string = string> {
  readonly zod: Z;
  readonly suffix: S;
  readonly desc: Desc;
}

type Fields = Record<string, FieldDef>;

/** The resolved form of a section: each key gets its unit suffix, each value its zod output. */
export type Resolved<F extends Fields> = {
  -readonly [K in keyof F & string as `${K}${F[K]['suffix']}`]: z.output<F[K]['zod']>;
};

// ---------------------------------------------------------------------------------------------
// How a found value is shown in messages: short, quoted, one line.

/** `"two"`, `-5`, `true`, `null`, `a list`, `a mapping`; long strings are cut. */
export function describeFound(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') {
    const s = v.length > 40 ? `${v.slice(0, 40)}...` : v;
    return JSON.stringify(s);
  }
  if (typeof v === 'number') return Number.isNaN(v) ? '.nan' : String(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (v instanceof Uint8Array) return 'binary data';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

function expected(what: string, v: unknown, why = ''): string {
  return `expected ${what}, got ${describeFound(v)}${why ? ` (${why})` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Field helpers. Each returns a FieldDef; the zod schema carries the default (prefault: the default
// is parsed like a value from a file) and the description (for the JSON Schema).

interface Common<D> {
  default: D;
  doc: string;
}

interface Range {
  min?: number;
  max?: number;
  /** Why the minimum exists, shown when a value is below it. */
  minWhy?: string;
}

function leaf(
  p: Omit<LeafDesc, 'kind' | 'resolvedKey' | 'minWhy' | 'explain' | 'range'> & { minWhy?: string | undefined; explain?: (found: unknown) => string; range?: string },
): LeafDesc {
  return { kind: 'leaf', resolvedKey: '', ...p, minWhy: p.minWhy ?? '' };
}

/** A unit-bearing integer (size, duration or rate) parsed by `parse` and range-checked exactly. */
function unitField<S extends string>(
  kind: 'size' | 'duration' | 'rate',
  suffix: S,
  opts: Common<string> & Range & { multipleOf?: number },
): FieldDef<z.ZodType<number>, S> {
  const { parse, format, pattern, example, unit } = UNIT_KINDS[kind];
  const min = opts.min ?? 0;
  const max = opts.max;
  const base =
    kind === 'rate'
      ? z.string().regex(new RegExp(pattern))
      : kind === 'size'
        ? z.union([z.int().min(0), z.string().regex(new RegExp(pattern))])
        : z.union([z.literal(0), z.string().regex(new RegExp(pattern))]);
  const rangeText =
    max === undefined ? (min > 0 ? `a ${kind} of at least ${format(min)}` : `a ${kind} such as ${example}`) : `a ${kind} from ${format(min)} to ${format(max)}`;
  const schema = base
    .transform((v, ctx) => {
      const r = parse(v);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: expected(`a ${kind} such as ${example}`, v, r.why.startsWith('not a') ? '' : r.why) });
        return z.NEVER;
      }
      if (r.value < min || (max !== undefined && r.value > max)) {
        // A bare number is bytes: 1536 for RAM is 1.5 KiB, not 1536MiB.
        const bare = kind === 'size' && /^\s*[0-9]+\s*$/.test(String(v)) ? `a number without a unit is bytes; write ${String(v).trim()}MiB for MiB` : '';
        ctx.addIssue({ code: 'custom', message: expected(rangeText, v, [r.value < min ? (opts.minWhy ?? '') : '', bare].filter((x) => x !== '').join('; ')) });
        return z.NEVER;
      }
      if (opts.multipleOf !== undefined && r.value % opts.multipleOf !== 0) {
        // kB, MB, GB and TB are powers of 1000, which pages do not divide.
        const dec = /^\s*([0-9.]+)\s*(kB|MB|GB|TB)\s*$/.exec(String(v));
        const why = dec ? `${dec[2]} is a power of 1000; write ${dec[1]}${dec[2]![0]!.toUpperCase()}iB for the power of 1024` : '';
        ctx.addIssue({ code: 'custom', message: expected(`a multiple of ${format(opts.multipleOf)}`, v, why) });
        return z.NEVER;
      }
      return r.value;
    })
    .prefault(opts.default as never)
    .meta({ description: `${opts.doc} (${kind}, e.g. ${example})` });
  return {
    zod: schema as unknown as z.ZodType<number>,
    suffix,
    desc: leaf({
      doc: opts.doc,
      type: kind,
      unit,
      default: opts.default,
      expect: `a ${kind} such as ${example}`,
      range: `${rangeText}${opts.multipleOf !== undefined ? `, a multiple of ${format(opts.multipleOf)}` : ''}`,
      minWhy: opts.minWhy,
      toInput: (v) => format(v as number),
      explain: (found) => {
        const r = parse(found);
        if (!r.ok && !r.why.startsWith('not a')) return r.why;
        if (kind === 'rate' && parseSize(found).ok) return 'a rate ends in /s, such as 60MiB/s';
        if (kind === 'rate' && /bps$|bit/i.test(String(found))) return 'a rate is in bytes per second, such as 4MiB/s, not bits';
        return '';
      },
    }),
  };
}

const UNIT_KINDS = {
  size: { parse: parseSize, format: formatSize, pattern: SIZE_PATTERN, example: '2GiB', unit: 'bytes' },
  duration: { parse: parseDuration, format: formatDuration, pattern: DURATION_PATTERN, example: '250ms', unit: 'ns' },
  rate: { parse: parseRate, format: formatRate, pattern: RATE_PATTERN, example: '60MiB/s', unit: 'bytes/s' },
} as const;

function size(opts: Common<string> & Range & { multipleOf?: number }): FieldDef<z.ZodType<number>, '_bytes'> {
  return unitField('size', '_bytes', opts);
}
function duration(opts: Common<string> & Range): FieldDef<z.ZodType<number>, '_ns'> {
  return unitField('duration', '_ns', opts);
}
function rate(opts: Common<string> & Range): FieldDef<z.ZodType<number>, '_bytes_per_s'> {
  return unitField('rate', '_bytes_per_s', opts);
}

/** An integer in [min, max]. */
function int(opts: Common<number> & { min: number; max: number; minWhy?: string }): FieldDef<z.ZodType<number>, ''> {
  const expect = opts.max === Number.MAX_SAFE_INTEGER ? `an integer of at least ${opts.min}` : `an integer from ${opts.min} to ${opts.max}`;
  return {
    zod: z.int().min(opts.min).max(opts.max).prefault(opts.default).meta({ description: opts.doc }) as unknown as z.ZodType<number>,
    suffix: '',
    desc: leaf({ doc: opts.doc, type: 'integer', unit: '', default: opts.default, expect, minWhy: opts.minWhy, toInput: (v) => v }),
  };
}

function quoteList(values: readonly (string | number)[]): string {
  return values.map((v) => (typeof v === 'string' ? `"${v}"` : String(v))).join(', ');
}

/** One of a fixed set of strings or numbers. `suffix` names the unit when the values carry one. */
function oneOf<const V extends readonly [string, ...string[]] | readonly [number, ...number[]], S extends string = ''>(
  values: V,
  opts: Common<V[number]> & { suffix?: S; unit?: string },
): FieldDef<z.ZodType<V[number]>, S> {
  const zod = z
    .literal(values as unknown as readonly [string, ...string[]])
    .prefault(opts.default as never)
    .meta({ description: opts.doc });
  return {
    zod: zod as unknown as z.ZodType<V[number]>,
    suffix: (opts.suffix ?? '') as S,
    desc: leaf({
      doc: opts.doc,
      type: `one of ${quoteList(values)}`,
      unit: opts.unit ?? '',
      default: opts.default,
      expect: `one of ${quoteList(values)}`,
      toInput: (v) => v,
    }),
  };
}

function bool(opts: Common<boolean>): FieldDef<z.ZodType<boolean>, ''> {
  return {
    zod: z.boolean().prefault(opts.default).meta({ description: opts.doc }) as unknown as z.ZodType<boolean>,
    suffix: '',
    desc: leaf({ doc: opts.doc, type: 'true or false', unit: '', default: opts.default, expect: 'true or false', toInput: (v) => v }),
  };
}

/** A single-line string of at most `max` characters (optionally matching a pattern). */
function text(opts: Common<string> & { max: number; min?: number; pattern?: RegExp; what?: string }): FieldDef<z.ZodType<string>, ''> {
  let s = z.string().min(opts.min ?? 0).max(opts.max);
  s = s.regex(opts.pattern ?? /^[^\r\n]*$/);
  const expect = opts.what ?? `a single-line string of at most ${opts.max} characters`;
  return {
    zod: s.prefault(opts.default).meta({ description: opts.doc }) as unknown as z.ZodType<string>,
    suffix: '',
    desc: leaf({ doc: opts.doc, type: 'string', unit: '', default: opts.default, expect, toInput: (v) => v }),
  };
}

/**
 * A list of `element`s. The list takes the element's unit suffix (a list of durations resolves as
 * `..._ns`). `unique` refuses repeated elements.
 */
function list<E extends FieldDef, S extends string = E['suffix']>(
  element: E,
  opts: Common<unknown[]> & { max: number; min?: number; unique?: boolean; suffix?: S },
): FieldDef<z.ZodType<z.output<E['zod']>[]>, S> {
  // The element's own default does not apply inside a list; strip it by using the inner schema.
  const elemZod = element.zod;
  let arr = z.array(elemZod).min(opts.min ?? 0).max(opts.max);
  if (opts.unique) {
    arr = arr.superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((it, i) => {
        const key = JSON.stringify(it);
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i], message: `expected each value at most once, got ${describeFound(it)} again` });
        seen.add(key);
      });
    }) as typeof arr;
  }
  const elemExpect = element.desc.kind === 'leaf' ? element.desc.expect : 'a mapping';
  const count = opts.min ? `${opts.min} to ${opts.max}` : `at most ${opts.max}`;
  return {
    zod: arr.prefault(opts.default as never).meta({ description: opts.doc }) as unknown as z.ZodType<z.output<E['zod']>[]>,
    suffix: (opts.suffix ?? element.suffix) as S,
    desc: leaf({
      doc: opts.doc,
      type: `list of ${element.desc.kind === 'leaf' ? element.desc.type : 'mappings'}`,
      unit: element.desc.kind === 'leaf' ? element.desc.unit : '',
      default: opts.default,
      expect: `a list of ${count} items, each ${elemExpect}`,
      toInput: (v) => (v as unknown[]).map((x) => toInputOf(element.desc, x)),
      element: element.desc,
      // One value where a list is due (`variants: noop-ctor`): the fix is the brackets.
      explain: (found) => (typeof found === 'string' || typeof found === 'number' ? `write one value as a list: [${String(found)}]` : ''),
    }),
  };
}

/**
 * A mapping of named fields. Unknown keys are refused (strict); the resolved object renames each
 * key with its unit suffix. `inList` sections (list elements) have no default of their own.
 */
function section<F extends Fields>(doc: string, fields: F, opts: { inList?: boolean } = {}): FieldDef<z.ZodType<Resolved<F>>, ''> {
  const shape: Record<string, z.ZodType> = {};
  const descs: Record<string, Desc> = {};
  for (const [k, f] of Object.entries(fields)) {
    shape[k] = f.zod;
    f.desc.resolvedKey = `${k}${f.suffix}`;
    descs[k] = f.desc;
  }
  const renamed = z.strictObject(shape).transform((o) => {
    const out: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(fields)) out[`${k}${f.suffix}`] = (o as Record<string, unknown>)[k];
    return out as Resolved<F>;
  });
  const zod = opts.inList ? renamed.meta({ description: doc }) : renamed.prefault({}).meta({ description: doc });
  return { zod: zod as unknown as z.ZodType<Resolved<F>>, suffix: '', desc: { kind: 'section', doc, fields: descs, resolvedKey: '' } };
}

/** Resolved value -> the form a file would use, following the descriptor. */
export function toInputOf(desc: Desc, v: unknown): unknown {
  if (desc.kind === 'leaf') return desc.toInput(v);
  const out: Record<string, unknown> = {};
  for (const [k, d] of Object.entries(desc.fields)) out[k] = toInputOf(d, (v as Record<string, unknown>)[d.resolvedKey]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The declarations.

export const PROFILES = ['2.6.24', '2.6.25-rc8', '2.6.25'] as const;
export const VARIANTS = ['noop-ctor', 'single-cache', 'slub_nomerge', 'slab'] as const;

/** The smallest RAM we accept. Below this a 2.6.25 x86_64 kernel with our workload will not boot usefully. */
export const MIN_RAM_BYTES = 64 * MiB;
const PAGE_SIZE = 4 * KiB;

const TRACE_FILTER = /^[a-z0-9_*]{1,64}(:[a-z0-9_*]{1,64})?$/;

/** A tracepoint filter: "kmem:*", "block:block_rq_issue", "*:*" or "kmem" (whole system); must match a tracepoint. */
function traceFilter(): FieldDef<z.ZodType<string>, ''> {
  const what = 'a tracepoint filter such as kmem:* or block:block_rq_issue';
  const zod = z
    .string()
    .regex(TRACE_FILTER)
    .superRefine((f, ctx) => {
      if (!TRACEPOINTS.some((tp) => tracepointMatches(f, tp))) {
        const names = [...new Set(TRACEPOINTS.flatMap((tp) => [`${tp.system}:*`, `${tp.system}:${tp.name}`]))];
        const near = closest(f, names);
        ctx.addIssue({ code: 'custom', message: expected(what, f, near ? `matches no tracepoint; did you mean ${near}?` : 'matches no tracepoint') });
      }
    });
  return {
    zod: zod as unknown as z.ZodType<string>,
    suffix: '',
    desc: leaf({ doc: 'tracepoint filter', type: 'tracepoint filter', unit: '', default: undefined, expect: what, toInput: (v) => v }),
  };
}

const fileSizeEntry = section(
  'one class of file sizes in the copied tree',
  {
    size: size({ default: '4KiB', doc: 'size of each file in this class', min: 1, max: 1 * GiB }),
    weight: int({ default: 1, doc: 'relative share of files of this size (1 when left out)', min: 1, max: 1_000_000 }),
  },
  { inList: true },
);

const scenarioDef = section('a reclaimsim scenario', {
  name: text({ default: 'custom', doc: 'scenario name, printed in results and reports', min: 1, max: 64, pattern: /^[A-Za-z0-9][A-Za-z0-9._+-]*$/, what: 'a name of letters, digits and ._+- (at most 64 characters)' }),
  description: text({ default: '', doc: 'one-line description shown by `reclaimsim scenarios`', max: 200 }),
  profile: oneOf(PROFILES, { default: '2.6.25-rc8', doc: 'kernel profile: 2.6.25-rc8 has the livelock, 2.6.25 the fix, 2.6.24 embeds the sense buffer' }),
  variants: list(oneOf(VARIANTS, { default: 'noop-ctor', doc: 'variant' }), {
    default: [],
    doc: 'model variants applied on top of the profile (no repeats)',
    max: VARIANTS.length,
    unique: true,
  }),
  seed: int({ default: 1, doc: 'PRNG seed; a run is a pure function of scenario and seed', min: 0, max: Number.MAX_SAFE_INTEGER }),
  sched_salt: int({
    default: 0,
    doc: 'scheduling perturbation (0: none): a non-zero salt draws same-instant scheduling decisions from another PRNG stream, as a swarm run does; `reclaimsim shrink` writes the salt its finding needs',
    min: 0,
    max: 2 ** 32 - 1,
  }),
  machine: section('the simulated machine (x86_64, one NUMA node, 4 KiB pages)', {
    ram: size({
      default: '2816MiB',
      doc: 'installed RAM',
      min: MIN_RAM_BYTES,
      max: 1 * TiB,
      minWhy: "RAM below the kernel's minimum for this model: zone watermarks and reserves would not fit",
      multipleOf: PAGE_SIZE,
    }),
    cpus: int({ default: 2, doc: 'CPUs, each with its own run queue and BLOCK_SOFTIRQ', min: 1, max: 64, minWhy: 'a machine needs at least one CPU' }),
    hz: oneOf([100, 250, 300, 1000], { default: 1000, doc: 'timer frequency CONFIG_HZ; jiffies, congestion_wait and mempool waits derive from it' }),
    cache_line: oneOf([64, 128], { default: 64, doc: 'cache_line_size(): SLAB_HWCACHE_ALIGN alignment (128 on Netburst)', suffix: '_bytes', unit: 'bytes' }),
    timer_stats: bool({ default: false, doc: 'CONFIG_TIMER_STATS: sizeof(struct scsi_cmnd) is 320 instead of 288' }),
    completion_cost: section('CPU time the block softirq spends completing one request (other CPUs run meanwhile)', {
      request: duration({ default: '5us', doc: 'fixed part per request (SCSI command, request, queue lock)', max: 1 * NS_PER_S }),
      per_bio: duration({ default: '500ns', doc: 'part per bio ended (end_swap_bio_write, bio_put into mempool and slab)', max: 1 * NS_PER_S }),
      end_bios: oneOf(['at_once', 'one_by_one'], {
        default: 'at_once',
        doc: "at_once: the request's bios all end, and the request is freed, when its completion begins; one_by_one: as 2.6.25's scsi_end_request, each bio ends per_bio after the one before, the request is freed after the last (slower to simulate; docs/flagship.md shows what it changes)",
      }),
    }),
    failure_report_cost: duration({
      default: '0',
      doc: "CPU time a printed page allocation failure report takes on the failing CPU: 2.6.25's dump_stack and show_mem (which walks every page frame) and the console, with interrupts off, so no task runs there and no completion starts meanwhile. 0 (the default): free. Milliseconds for a VGA console; about 300ms for a 115200-baud serial one (docs/flagship.md)",
      max: 10 * NS_PER_S,
    }),
    vmstat: oneOf(['exact', 'per_cpu'], {
      default: 'exact',
      doc: "the free-page counter the watermark checks read: exact: every allocation and free at once; per_cpu: as 2.6.25, each CPU's changes reach it only past the zone's stat_threshold (24 pages for a 2-4 GiB zone on 2 CPUs) or at the CPU's once-a-second vmstat_update, so a check near a line can be off by up to cpus x threshold pages (src/mm/vmstat.ts; docs/flagship.md shows what it changes)",
    }),
    cpu_sharing: oneOf(['overlap', 'fifo', 'slice'], {
      default: 'slice',
      doc: "how tasks of one CPU spend modelled CPU time (copying, reclaim scanning): overlap: at the same time; fifo: one task's time after another's, first come first served; slice: one task at a time, which keeps the CPU until it sleeps or has had 10 ms while others wait",
    }),
    reclaim_cost: section('CPU time reclaim spends per page in shrink_page_list, and how it is charged', {
      per_page: duration({ default: '100ns', doc: 'time per page isolated from the inactive or the active list', max: 1 * NS_PER_MS }),
      charge: oneOf(['batch', 'page'], {
        default: 'batch',
        doc: "batch: a whole isolated batch (up to 32 pages) before shrink_page_list, which then runs without yielding; page: before each page, so reclaimers interleave page by page (about 3x slower to simulate; docs/flagship.md shows how the flagship's verdict depends on it)",
      }),
    }),
  }),
  device: section('the SCSI host, the disk behind it and its request queue', {
    can_queue: int({ default: 31, doc: 'shost->can_queue: commands the host accepts at once (ahci NCQ: 31; libata without NCQ: 1)', min: 1, max: 4096, minWhy: 'hosts.c rejects can_queue 0' }),
    queue_depth: int({ default: 31, doc: 'sdev->queue_depth: commands per device (may exceed can_queue)', min: 1, max: 4096, minWhy: 'a device with queue_depth 0 never dispatches' }),
    sg_tablesize: int({ default: 128, doc: 'shost->sg_tablesize: scatter-gather segments per command', min: 1, max: 2048 }),
    max_sectors: int({ default: 1024, doc: 'shost->max_sectors: 512-byte sectors per request', min: 8, max: 65535, minWhy: 'a request must hold at least one 4 KiB page (8 sectors)' }),
    elevator: oneOf(['noop', 'deadline'], { default: 'noop', doc: 'I/O scheduler of the request queue: noop (arrival order) or deadline (sector order, batches of 16, reads before writes, expiry 0.5 s for reads and 5 s for writes); src/block/elevator.ts' }),
    service: section('how long the simulated disk takes per command', {
      seek: duration({ default: '4ms', doc: 'mean positioning time per command', max: 10 * NS_PER_S }),
      seek_jitter: duration({ default: '2ms', doc: 'each seek takes up to this much longer, drawn uniformly from 0 (sim_disk adds, never subtracts)', max: 10 * NS_PER_S }),
      transfer_rate: rate({ default: '60MiB/s', doc: 'media transfer rate', min: 1 * KiB, max: 100 * GiB }),
      per_command_overhead: duration({ default: '100us', doc: 'fixed controller and completion cost per command', max: 1 * NS_PER_S }),
    }),
    unchecked_isa_dma: bool({ default: false, doc: 'shost->unchecked_isa_dma: commands and sense buffers come from the DMA caches (GFP_DMA)' }),
  }),
  swap: section('the swap device (on the disk above)', {
    size: size({ default: '3GiB', doc: 'swap space', min: 0, max: 16 * TiB, multipleOf: PAGE_SIZE }),
    priority: int({ default: -1, doc: 'swapon priority (-1: kernel-assigned); the model has one swap area, so it changes nothing in a run', min: -1, max: 32767 }),
  }),
  workload: section('the memory pressure: copies of file trees into tmpfs (cp -a)', {
    copies: int({ default: 4, doc: 'concurrent copy tasks, one tree each', min: 1, max: 256 }),
    tree_size: size({ default: '768MiB', doc: 'data per copied tree', min: 4 * KiB, max: 1 * TiB }),
    file_size_mix: list(fileSizeEntry, {
      default: [
        { size: '1KiB', weight: 40 },
        { size: '2KiB', weight: 30 },
        { size: '4KiB', weight: 30 },
      ],
      doc: 'file sizes in a tree and their relative weights (default: small files of one page each; scenarios/kernel-tree.yaml has a 2.6.25 source tree\'s mix)',
      min: 1,
      max: 64,
    }),
    files_per_dir: int({ default: 17, doc: 'files per directory in a tree; every file and directory takes a dentry (208 bytes) and a shmem inode (760) from GFP_KERNEL slabs (v2.6.25 has 16.8: 23810 files in 1417 directories)', min: 1, max: 1_000_000 }),
    copy_bandwidth: rate({ default: '200MiB/s', doc: 'copy speed of one task when memory is free', min: 1 * KiB, max: 100 * GiB }),
    start_stagger: duration({ default: '10ms', doc: 'delay between the starts of successive copy tasks', max: 60 * NS_PER_S }),
    rounds: int({ default: 1, doc: 'trees each copy task copies one after another; before each next one it removes the last (rm -rf: the files\' pages wherever they are, swap slots, inodes and dentries), as a loop of copies that runs for hours does (1: copy once and keep it)', min: 1, max: 1000 }),
    remove_cost: duration({ default: '2us', doc: 'CPU time of removing one file or directory when rounds is above 1', max: 1 * NS_PER_S }),
    boot_read: size({ default: '1MiB', doc: 'data each CPU reads from the root file system at boot, before the copies (warms the I/O slab caches on every CPU; 0 disables)', min: 0, max: 1 * GiB, multipleOf: PAGE_SIZE }),
  }),
  live_patch: section('a what-if: Hugh Dickins\' fix applied to the running kernel, as a livepatch would (2.6.25 had no livepatch)', {
    at: duration({ default: '0', doc: "simulated instant from which __scsi_get_command falls back to the host's free-list command when its sense-buffer allocation fails (0: never). Only 2.6.25-rc8 changes (2.6.25 and 2.6.24 already fall back), and the slab caches stay as booted: a running kernel cannot unmerge them. The watchdog's window counts from this instant at the earliest, so a latched machine gets its whole window to recover", max: 7 * 24 * 3600 * NS_PER_S }),
  }),
  checks: section('checkers and limits', {
    watchdog_window: duration({ default: '135s', doc: 'no forward progress for this long is a livelock or deadlock verdict (the default outlasts the hung-task detector\'s worst case, 122 of its 2^30 ns units or 131 s, so the verdict shows whether it fires); counted from the exact time of the last progress and checked once a second, or four times a window under 4 s', min: 1 * NS_PER_MS, max: 3600 * NS_PER_S }),
    time_limit: duration({ default: '600s', doc: 'simulated time after which the run stops with verdict LIMIT', min: 1 * NS_PER_MS, max: 7 * 24 * 3600 * NS_PER_S }),
    event_limit: int({ default: 200_000_000, doc: 'events after which the run stops with verdict LIMIT', min: 1, max: Number.MAX_SAFE_INTEGER }),
    hung_task_timeout: duration({ default: '120s', doc: 'khungtaskd: report tasks in D state this long (0 disables)', max: 3600 * NS_PER_S }),
    invariants: oneOf(['off', 'cheap', 'full'], { default: 'cheap', doc: 'invariant checking: off, cheap (O(1) per event) or full (whole-state scans)' }),
    full_interval: duration({ default: '0', doc: 'with invariants full: run the whole-state scans once per this much simulated time and at the end of the run, the O(1) checks still after every event (0: the scans after every event too, which is slow on a large machine)', max: 3600 * NS_PER_S }),
  }),
  outputs: section('what the run records besides its result', {
    trace_events: list(traceFilter(), { default: [], doc: 'tracepoints to record, e.g. kmem:* or block:block_rq_issue', max: 64 }),
    trace_buffer_kb: int({ default: 4096, doc: 'trace ring size in KiB (ftrace buffer_size_kb; at most 256 MiB, whose records already take a few GB of host memory)', min: 1, max: 256 * 1024 }),
    metrics_interval: duration({ default: '100ms', doc: 'sampling period of the metrics time series (0 disables)', max: 3600 * NS_PER_S }),
    proc_snapshots: list(duration({ default: '0', doc: 'snapshot time' }), {
      default: [],
      doc: 'simulated instants at which to snapshot /proc/meminfo, /proc/slabinfo and /proc/vmstat',
      max: 1000,
    }),
  }),
});

/** Validates a parsed scenario document and resolves it (defaults filled, units converted). */
export const scenarioSchema = scenarioDef.zod;

/** The fully resolved scenario: every field present, integers in the unit named by the field. */
export type ResolvedScenario = z.output<typeof scenarioSchema>;

/** The field tree behind the schema (for docs, --set and suggestions). */
export const SCENARIO_FIELDS: SectionDesc = scenarioDef.desc as SectionDesc;

/** The JSON Schema of a scenario file (what a file may say, not the resolved form), for editors. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $schema: schema['$schema'],
    title: 'reclaimsim scenario',
    ...schema,
  };
}

// ---------------------------------------------------------------------------------------------
// Suggestions.

/** Edit distance with adjacent transpositions (optimal string alignment); small strings only. */
export function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Math.max(a.length, b.length);
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to `word` if it is close enough to be a likely typo (a third of its letters), else undefined. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return best !== undefined && bestD <= limit ? best : undefined;
}

// ---------------------------------------------------------------------------------------------
// Scenarios that validate field by field but cannot work.

export interface ScenarioProblem {
  /** Input path of the field to blame first (as written in a file). */
  path: (string | number)[];
  /** Other fields involved: the error points at the first of path/also that the user wrote. */
  also: (string | number)[][];
  /** The message after the path: "2GiB is too small for ...". */
  message: string;
}

/** The cross-field rules below, in words (for docs/scenario-format.md). Keep in step with scenarioProblems. */
export const SCENARIO_RULES: readonly string[] = [
  '`workload.copies` x (`workload.tree_size` + the trees\' dentries and inodes) must fit in `machine.ram` + `swap.size` (tmpfs pages live in RAM or swap; a file or directory holds 968 bytes of dentry and inode in RAM, and a tree has as many files as the size mix gives on average).',
  '`variants` may not combine `slab` with `slub_nomerge` (the slab variant replaces SLUB).',
  'Each `workload.file_size_mix[].size` must be at most `workload.tree_size`.',
  'Each `outputs.proc_snapshots` instant must be at most `checks.time_limit`.',
  '`outputs.metrics_interval` must be 0 (off) or at least 1ms.',
  '`checks.hung_task_timeout` must be 0 (off) or at least 1s (the kernel counts it in whole seconds).',
  '`live_patch.at` plus `checks.watchdog_window` must be at most `checks.time_limit`, so that the watchdog can judge the patched machine.',
  'The disk must serve its longest command in less than `checks.watchdog_window`: the largest request (`device.max_sectors`, at most BLK_DEF_MAX_SECTORS = 1024 sectors, and at most `device.sg_tablesize` one-page segments) at `device.service.transfer_rate`, with the seek, its whole jitter and the per-command overhead. Otherwise a busy disk gives no progress for a whole window, and the watchdog would call it a livelock.',
];

/**
 * The dentry and inode bytes one copied tree holds, on average: as many files as its pages divided
 * by the size mix's mean pages per file, a directory per workload.files_per_dir files, and
 * sizeof(struct dentry) + sizeof(struct shmem_inode_info) for each (a lower bound: slab slack not
 * counted).
 */
function treeNameBytes(workload: ResolvedScenario['workload']): number {
  let w = 0;
  let wp = 0;
  for (const e of workload.file_size_mix) {
    w += e.weight;
    wp += e.weight * Math.max(1, Math.ceil(e.size_bytes / PAGE_SIZE));
  }
  const files = Math.ceil(Math.ceil(workload.tree_size_bytes / PAGE_SIZE) / (wp / w));
  const names = files + Math.ceil(files / workload.files_per_dir);
  return names * (SIZEOF_DENTRY + SIZEOF_SHMEM_INODE_INFO);
}

/** Why the slab and slub_nomerge variants exclude each other (the scenario rule, and `run --variant`'s). */
export const SLAB_NOMERGE_CONFLICT = 'slub_nomerge applies to SLUB only, and the slab variant replaces SLUB; choose one';

/** Cross-field rules. Returns every problem, in a fixed order; the loader reports the first. */
export function scenarioProblems(s: ResolvedScenario): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  const { machine, device, swap, workload, checks, outputs } = s;
  const meta = treeNameBytes(workload);
  const need = workload.copies * (workload.tree_size_bytes + meta);
  const have = machine.ram_bytes + swap.size_bytes;
  if (need > have) {
    const min = need - machine.ram_bytes;
    const minRounded = Math.ceil(min / MiB) * MiB;
    out.push({
      path: ['swap', 'size'],
      also: [['workload', 'copies'], ['workload', 'tree_size'], ['machine', 'ram']],
      message: `${formatSize(swap.size_bytes)} is too small for ${workload.copies} copies of ${formatSize(workload.tree_size_bytes)} on ${formatSize(machine.ram_bytes)} RAM; need at least ${formatSize(minRounded)} (the tmpfs data, and the ${formatSize(Math.ceil((workload.copies * meta) / MiB) * MiB)} of dentries and inodes its files and directories hold, must fit in RAM plus swap)`,
    });
  }
  if (s.variants.includes('slab') && s.variants.includes('slub_nomerge')) {
    out.push({ path: ['variants'], also: [], message: SLAB_NOMERGE_CONFLICT });
  }
  workload.file_size_mix.forEach((e, i) => {
    if (e.size_bytes > workload.tree_size_bytes) {
      out.push({
        path: ['workload', 'file_size_mix', i, 'size'],
        also: [['workload', 'tree_size']],
        message: `a ${formatSize(e.size_bytes)} file does not fit in a tree of ${formatSize(workload.tree_size_bytes)}`,
      });
    }
  });
  if (s.live_patch.at_ns > 0 && s.live_patch.at_ns + checks.watchdog_window_ns > checks.time_limit_ns) {
    const latest = checks.time_limit_ns - checks.watchdog_window_ns;
    out.push({
      path: ['live_patch', 'at'],
      also: [['checks', 'time_limit'], ['checks', 'watchdog_window']],
      message: `a live patch at ${formatDuration(s.live_patch.at_ns)} leaves less than checks.watchdog_window (${formatDuration(checks.watchdog_window_ns)}) before checks.time_limit (${formatDuration(checks.time_limit_ns)}), so the watchdog could not judge the patched machine; ${latest > 0 ? `patch by ${formatDuration(latest)} or ` : ''}raise checks.time_limit`,
    });
  }
  // sim_disk's service time of the largest request: overhead, seek plus its largest jitter, and
  // the transfer. blk_queue_max_sectors caps requests at BLK_DEF_MAX_SECTORS, and every one-page
  // bio is a segment, of which a request holds sg_tablesize.
  const sv = device.service;
  const disk = (rate: number) => ({ per_command_overhead_ns: sv.per_command_overhead_ns, seek_ns: sv.seek_ns, seek_jitter_ns: sv.seek_jitter_ns, transfer_bytes_per_s: rate });
  const cmdBytes = Math.min(device.max_sectors, BLK_DEF_MAX_SECTORS, device.sg_tablesize * (PAGE_SIZE / 512)) * 512;
  const serviceNs = (rate: number) => worst_service_ns(disk(rate), cmdBytes);
  // The seek, its jitter and the overhead: a command that transfers nothing.
  const fixedNs = worst_service_ns(disk(sv.transfer_rate_bytes_per_s), 0);
  const longestNs = serviceNs(sv.transfer_rate_bytes_per_s);
  if (longestNs >= checks.watchdog_window_ns) {
    const head = `at ${formatRate(sv.transfer_rate_bytes_per_s)} the largest request (${formatSize(cmdBytes)}) takes ${(longestNs / 1e9).toFixed(3)} s with its seek and overhead, not less than checks.watchdog_window (${formatDuration(checks.watchdog_window_ns)}), so a busy disk would look like a livelock`;
    let fix: string;
    if (fixedNs >= checks.watchdog_window_ns) {
      fix = `the seek, its jitter and the per-command overhead alone take ${formatDuration(fixedNs)}: raise checks.watchdog_window or lower device.service.seek, seek_jitter or per_command_overhead`;
    } else {
      // The smallest whole KiB/s that serves the request inside the window (the check is strict).
      let minRate = Math.ceil((cmdBytes * 1e9) / (checks.watchdog_window_ns - fixedNs) / KiB) * KiB;
      while (serviceNs(minRate) >= checks.watchdog_window_ns) minRate += KiB;
      fix = `give at least ${formatRate(minRate)}, lower device.max_sectors or raise checks.watchdog_window`;
    }
    out.push({
      path: ['device', 'service', 'transfer_rate'],
      also: [['checks', 'watchdog_window'], ['device', 'max_sectors'], ['device', 'sg_tablesize']],
      message: `${head}; ${fix}`,
    });
  }
  if (checks.hung_task_timeout_ns > 0 && checks.hung_task_timeout_ns < NS_PER_S) {
    out.push({
      path: ['checks', 'hung_task_timeout'],
      also: [],
      message: `${formatDuration(checks.hung_task_timeout_ns)} is below 1s: khungtaskd's timeout is whole seconds (hung_task_timeout_secs), so this would turn the detector off; give 0 to turn it off, or 1s or more`,
    });
  }
  if (outputs.metrics_interval_ns > 0 && outputs.metrics_interval_ns < NS_PER_MS) {
    out.push({
      path: ['outputs', 'metrics_interval'],
      also: [],
      message: `${formatDuration(outputs.metrics_interval_ns)} is below the 1ms the sampler allows (a sample per event would outnumber the model's own); give 0 to turn sampling off, or 1ms or more`,
    });
  }
  outputs.proc_snapshots_ns.forEach((t, i) => {
    if (t > checks.time_limit_ns) {
      out.push({
        path: ['outputs', 'proc_snapshots', i],
        also: [['checks', 'time_limit']],
        message: `snapshot at ${formatDuration(t)} is after checks.time_limit (${formatDuration(checks.time_limit_ns)})`,
      });
    }
  });
  return out;
}
