/**
 * Reading SLUB's sysfs tree (/sys/kernel/slab) and the portable snapshot file that captures it.
 *
 * Guarantees: reading never writes, never follows a link out of the slab directory (alias links
 * are read with readlink and resolved by name inside the directory; attribute files are lstat-ed
 * and only regular files are read), and reads only a fixed list of informational attributes (never
 * `validate`, `shrink` or other action files). An attribute that is missing or unreadable is
 * unknown (absent, or null in the snapshot), not an error. Broken input (not a slab directory, a
 * link leaving the directory, a dangling link, a link loop, a truncated or foreign snapshot, an
 * attribute the audit reads with a value no SLUB cache can have: ATTRIBUTE_RULES) is a
 * `SlabInputError` with a one-line message; the CLI turns it into a usage error (exit 1).
 *
 * Snapshot format: docs/audit.md ("Snapshot format"), version SNAPSHOT_VERSION.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PAGE_SIZE } from '../mm/slub_geometry.js';
import { MAX_PAGE_ORDER } from '../mm/slub_geometry_modern.js';

export const SNAPSHOT_FORMAT = 'reclaimsim-slab-snapshot';
export const SNAPSHOT_VERSION = 1;

/** Attributes captured per cache. Older kernels call object_size `objsize` (2.6.2x). */
export const SLAB_ATTRIBUTES = [
  'aliases', 'align', 'cache_dma', 'cpu_partial', 'cpu_slabs', 'ctor', 'destroy_by_rcu', 'hwcache_align',
  'min_partial', 'object_size', 'objects', 'objects_partial', 'objs_per_slab', 'objsize', 'order', 'partial',
  'poison', 'reclaim_account', 'red_zone', 'remote_node_defrag_ratio', 'reserved', 'sanity_checks',
  'sheaf_capacity', 'slab_size', 'slabs', 'slabs_cpu_partial', 'store_user', 'total_objects', 'trace', 'usersize',
] as const;

/** Raw attribute text (trimmed); null = present but unreadable. Missing attributes are absent. */
export type RawAttributes = Record<string, string | null>;

export interface SnapshotKernel {
  /** /proc/sys/kernel/osrelease, or null when unknown (e.g. a copied directory). */
  release: string | null;
  /** /sys/devices/system/cpu/possible, e.g. "0-1". */
  cpu_possible: string | null;
  /** /sys/devices/system/cpu/present. */
  cpu_present: string | null;
}

export interface SlabSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  kernel: SnapshotKernel;
  /** Real caches (directories) by name, attributes sorted by name. */
  caches: Record<string, RawAttributes>;
  /** Alias symlinks: link name -> link target name (inside the slab directory). */
  aliases: Record<string, string>;
}

/** Broken input; the message is one line and names the file or directory. */
export class SlabInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlabInputError';
  }
}

function readSmallFile(path: string): string | null | undefined {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return undefined; // missing: unknown
  }
  if (!st.isFile()) return null; // a link or something else: never followed
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null; // EACCES, EIO, ...: unknown
  }
}

/** Names in code-unit order (not the locale's), so that snapshots and messages are the same everywhere. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedRecord<T>(entries: [string, T][]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of entries.sort((a, b) => byName(a[0], b[0]))) out[k] = v;
  return out;
}

/** Host facts that decide geometry rules: kernel release and CPU lists. Unknown ones are null. */
export function readHostKernel(procRoot = '/proc', cpuRoot = '/sys/devices/system/cpu'): SnapshotKernel {
  const get = (p: string): string | null => {
    const v = readSmallFile(p);
    return typeof v === 'string' && v.length > 0 ? v : null;
  };
  return { release: get(join(procRoot, 'sys/kernel/osrelease')), cpu_possible: get(join(cpuRoot, 'possible')), cpu_present: get(join(cpuRoot, 'present')) };
}

/**
 * Reads a slab sysfs directory (live, or a copy made with `cp -a`) into a snapshot.
 * `kernel` supplies host facts (use readHostKernel() for the live tree); a copy has none.
 */
export function readSlabDirectory(dir: string, kernel: SnapshotKernel = { release: null, cpu_possible: null, cpu_present: null }): SlabSnapshot {
  const root = resolve(dir);
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch (e) {
    throw new SlabInputError(`${dir}: cannot read directory (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const caches: [string, RawAttributes][] = [];
  const links: [string, string][] = [];
  for (const ent of entries) {
    const full = join(root, ent.name);
    if (ent.isSymbolicLink()) {
      let target: string;
      try {
        target = readlinkSync(full);
      } catch {
        continue; // vanished (a cache destroyed while we read): skip
      }
      const abs = resolve(root, target);
      if (dirname(abs) !== root) throw new SlabInputError(`${dir}: alias ${ent.name} points outside the slab directory (${target})`);
      links.push([ent.name, basename(abs)]);
    } else if (ent.isDirectory()) {
      const attrs: [string, string | null][] = [];
      for (const a of SLAB_ATTRIBUTES) {
        const v = readSmallFile(join(full, a));
        if (v !== undefined) attrs.push([a, v]);
      }
      caches.push([ent.name, sortedRecord(attrs)]);
    }
  }
  const snap: SlabSnapshot = { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, kernel, caches: sortedRecord(caches), aliases: sortedRecord(links) };
  validateSnapshot(snap, dir, 'directory');
  return snap;
}

/**
 * The largest slab, PAGE_SIZE << MAX_PAGE_ORDER with the 4 KiB pages the audit models: 4 MiB, which
 * is also KMALLOC_MAX_SIZE. A slab holds at least one object, so no slot or object is larger.
 */
export const MAX_SLAB_BYTES = PAGE_SIZE * 2 ** MAX_PAGE_ORDER;
/** MAX_OBJS_PER_PAGE: 65535 in 2.6.25 (page->objects was a u16), 32767 since (15 bits). */
export const MAX_OBJS_PER_SLAB = 65535;

interface AttributeRule {
  /** What the number is, with its article, for the message. */
  what: string;
  min: number;
  max: number;
  /** Why the bounds are what they are, for the message. */
  why?: string;
  /** The value may carry per-node counts after the total: "144 N0=100 N1=44" (show_slab_objects). */
  perNode?: boolean;
}

const SIZE_WHY = `4 MiB is the largest slab, PAGE_SIZE << MAX_PAGE_ORDER with 4 KiB pages`;

/**
 * Bounds of the integer attributes the audit reads (analyze.ts cacheInfo), as mm/slub.c shows them
 * in sysfs: sizes in bytes from 1 to the largest slab; `order` up to MAX_PAGE_ORDER; at least one
 * object per slab and at most MAX_OBJS_PER_PAGE; counts never negative (`aliases` is the cache's
 * int refcount - 1, `cpu_partial` an unsigned int, the others unsigned longs).
 */
export const ATTRIBUTE_RULES: Readonly<Record<string, AttributeRule>> = {
  object_size: { what: 'an object size in bytes', min: 1, max: MAX_SLAB_BYTES, why: SIZE_WHY },
  objsize: { what: 'an object size in bytes', min: 1, max: MAX_SLAB_BYTES, why: SIZE_WHY },
  slab_size: { what: 'a slot size in bytes', min: 1, max: MAX_SLAB_BYTES, why: SIZE_WHY },
  align: { what: 'an alignment in bytes', min: 1, max: MAX_SLAB_BYTES, why: SIZE_WHY },
  order: { what: 'a page order', min: 0, max: MAX_PAGE_ORDER, why: 'MAX_PAGE_ORDER with 4 KiB pages' },
  objs_per_slab: { what: 'a number of objects per slab', min: 1, max: MAX_OBJS_PER_SLAB, why: 'a slab holds at least one object, and at most MAX_OBJS_PER_PAGE' },
  aliases: { what: 'an alias count', min: 0, max: 2 ** 31 - 1 },
  cpu_partial: { what: 'a number of objects', min: 0, max: 2 ** 32 - 1 },
  min_partial: { what: 'a number of slabs', min: 0, max: Number.MAX_SAFE_INTEGER },
  objects: { what: 'an object count', min: 0, max: Number.MAX_SAFE_INTEGER, perNode: true },
  total_objects: { what: 'an object count', min: 0, max: Number.MAX_SAFE_INTEGER, perNode: true },
  slabs: { what: 'a slab count', min: 0, max: Number.MAX_SAFE_INTEGER, perNode: true },
};

/** The flag attributes the audit reads: mm/slub.c prints each as !!(s->flags & FLAG), 0 or 1. */
export const FLAG_ATTRIBUTES = ['cache_dma', 'destroy_by_rcu', 'hwcache_align', 'poison', 'reclaim_account', 'red_zone', 'sanity_checks', 'store_user', 'trace'] as const;

/** A value as the message quotes it: JSON-quoted, and cut to stay short and on one line. */
function quoted(v: string): string {
  return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
}

function sortedKeys(o: object): string[] {
  return Object.keys(o).sort(byName);
}

/**
 * Refuses a value no SLUB cache can show, naming the file (a directory) or the cache and attribute
 * (a snapshot) and the valid range. Unreadable (null) and missing attributes stay unknown.
 */
function checkAttributeValues(snap: SlabSnapshot, where: string, layout: 'directory' | 'snapshot'): void {
  const at = (cache: string, attr?: string): string =>
    layout === 'directory' ? (attr === undefined ? join(where, cache) : join(where, cache, attr)) : `${where}: cache ${cache}${attr === undefined ? '' : `, attribute ${attr}`}`;
  for (const cache of sortedKeys(snap.caches)) {
    const a = snap.caches[cache]!;
    const known: Record<string, number> = {};
    for (const [attr, rule] of Object.entries(ATTRIBUTE_RULES)) {
      const v = a[attr];
      if (v === undefined || v === null) continue;
      const expected = `expected ${rule.what} from ${rule.min} to ${rule.max}${rule.why ? ` (${rule.why})` : ''}`;
      const m = (rule.perNode ? /^(\d+)(?: N\d+=\d+)*$/ : /^(\d+)$/).exec(v);
      if (m === null) {
        throw new SlabInputError(`${at(cache, attr)}: ${quoted(v)} is not a whole number${rule.perNode ? ' (or a total followed by per-node counts such as N0=12)' : ''}; ${expected}`);
      }
      const n = Number(m[1]);
      if (!(n >= rule.min && n <= rule.max)) throw new SlabInputError(`${at(cache, attr)}: ${quoted(v)} is out of range; ${expected}`);
      known[attr] = n;
    }
    for (const attr of FLAG_ATTRIBUTES) {
      const v = a[attr];
      if (v === undefined || v === null || v === '0' || v === '1') continue;
      throw new SlabInputError(`${at(cache, attr)}: ${quoted(v)} is not a flag; expected 0 or 1`);
    }
    // calculate_sizes: the slot is the object plus metadata, rounded up to the alignment (size = ALIGN(size, align)).
    const object = known['object_size'] ?? known['objsize'];
    const objectAttr = known['object_size'] !== undefined ? 'object_size' : 'objsize';
    const slot = known['slab_size'];
    if (slot !== undefined && object !== undefined && object > slot) {
      throw new SlabInputError(`${at(cache)}: ${objectAttr} ${object} is larger than slab_size ${slot}; a slot holds its object, so expected ${objectAttr} <= slab_size`);
    }
    const align = known['align'];
    if (slot !== undefined && align !== undefined && align > slot) {
      throw new SlabInputError(`${at(cache)}: align ${align} is larger than slab_size ${slot}; a slot is rounded up to the alignment, so expected align <= slab_size`);
    }
  }
}

/**
 * Checks that a snapshot describes a slab tree: at least one cache with an object size, every
 * attribute the audit reads within what SLUB can show (ATTRIBUTE_RULES, FLAG_ATTRIBUTES), and every
 * alias resolves (possibly through other aliases) to a cache without loops or dangling names.
 * `layout` says how errors name a value: as a file under the directory `where`, or as a cache and
 * attribute of the snapshot file `where`.
 */
export function validateSnapshot(snap: SlabSnapshot, where: string, layout: 'directory' | 'snapshot' = 'snapshot'): void {
  const names = Object.keys(snap.caches);
  if (!names.some((n) => 'object_size' in snap.caches[n]! || 'objsize' in snap.caches[n]!)) {
    throw new SlabInputError(`${where}: not a slab sysfs tree (no cache directory has object_size or objsize)`);
  }
  checkAttributeValues(snap, where, layout);
  resolveAliases(snap, where);
}

/** Maps each alias to its real cache, following alias-to-alias links; throws on loops and dangling links. */
export function resolveAliases(snap: SlabSnapshot, where: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of Object.keys(snap.aliases)) {
    const seen = [name];
    let cur = snap.aliases[name]!;
    while (!(cur in snap.caches)) {
      if (!(cur in snap.aliases)) throw new SlabInputError(`${where}: alias ${name} points to ${cur}, which does not exist`);
      if (seen.includes(cur)) throw new SlabInputError(`${where}: alias link loop: ${[...seen, cur].join(' -> ')}`);
      seen.push(cur);
      cur = snap.aliases[cur]!;
    }
    if (name in snap.caches) throw new SlabInputError(`${where}: ${name} is both a cache and an alias`);
    out.set(name, cur);
  }
  return out;
}

function isStringRecord(v: unknown, allowNull: boolean): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  return Object.values(v).every((x) => typeof x === 'string' || (allowNull && x === null));
}

/** Parses and validates snapshot text. */
export function parseSnapshot(text: string, where: string): SlabSnapshot {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new SlabInputError(`${where}: not a valid slab snapshot (truncated or corrupt JSON: ${(e as Error).message})`);
  }
  const o = v as Partial<SlabSnapshot> | null;
  if (typeof o !== 'object' || o === null || o.format !== SNAPSHOT_FORMAT) {
    throw new SlabInputError(`${where}: not a slab snapshot (format is not "${SNAPSHOT_FORMAT}")`);
  }
  if (o.version !== SNAPSHOT_VERSION) throw new SlabInputError(`${where}: unsupported slab snapshot version ${String(o.version)} (this reclaimsim reads version ${SNAPSHOT_VERSION})`);
  const k = o.kernel as Partial<SnapshotKernel> | undefined;
  const kOk = typeof k === 'object' && k !== null && (['release', 'cpu_possible', 'cpu_present'] as const).every((f) => k[f] === null || typeof k[f] === 'string');
  if (!kOk) throw new SlabInputError(`${where}: slab snapshot field "kernel" is missing or malformed`);
  if (typeof o.caches !== 'object' || o.caches === null || Array.isArray(o.caches) || !Object.values(o.caches).every((c) => isStringRecord(c, true))) {
    throw new SlabInputError(`${where}: slab snapshot field "caches" is missing or malformed`);
  }
  if (!isStringRecord(o.aliases, false)) throw new SlabInputError(`${where}: slab snapshot field "aliases" is missing or malformed`);
  const snap = o as SlabSnapshot;
  validateSnapshot(snap, where);
  return snap;
}

/** Loads a snapshot file or reads a slab directory, whichever `path` is. */
export function loadSlabSource(path: string, kernel?: SnapshotKernel): SlabSnapshot {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new SlabInputError(`${path}: cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (st.isDirectory()) return readSlabDirectory(path, kernel);
  // Reading a FIFO or a device would block or never end: a snapshot is a regular file.
  if (!st.isFile()) throw new SlabInputError(`${path}: not a regular file or a directory; give a saved snapshot (audit --save) or a /sys/kernel/slab directory`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SlabInputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseSnapshot(text, path);
}

/** Serializes a snapshot: stable key order, two-space indent, trailing newline. */
export function formatSnapshot(snap: SlabSnapshot): string {
  return `${JSON.stringify(snap, null, 2)}\n`;
}

/** Parses a CPU list such as "0-3,8-11" into its CPU count and highest id + 1; null if malformed. */
export function parseCpuList(list: string | null): { count: number; nr_cpu_ids: number } | null {
  if (list === null) return null;
  let count = 0;
  let max = -1;
  for (const part of list.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) return null;
    count += b - a + 1;
    max = Math.max(max, b);
  }
  return { count, nr_cpu_ids: max + 1 };
}
