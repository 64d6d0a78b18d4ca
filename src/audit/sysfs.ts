/**
 * Reading SLUB's sysfs tree (/sys/kernel/slab) and the portable snapshot file that captures it.
 *
 * Guarantees: reading never writes, never follows a link out of the slab directory (alias links
 * are read with readlink and resolved by name inside the directory; attribute files are lstat-ed
 * and only regular files are read), and reads only a fixed list of informational attributes (never
 * `validate`, `shrink` or other action files). An attribute that is missing or unreadable is
 * unknown (absent, or null in the snapshot), not an error. Broken input (not a slab directory, a
 * link leaving the directory, a dangling link, a link loop, a truncated or foreign snapshot) is a
 * `SlabInputError` with a one-line message; the CLI turns it into a usage error (exit 1).
 *
 * Snapshot format: docs/audit.md ("Snapshot format"), version SNAPSHOT_VERSION.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

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

function sortedRecord<T>(entries: [string, T][]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) out[k] = v;
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
  validateSnapshot(snap, dir);
  return snap;
}

/**
 * Checks that a snapshot describes a slab tree: at least one cache with an object size, and every
 * alias resolves (possibly through other aliases) to a cache without loops or dangling names.
 */
export function validateSnapshot(snap: SlabSnapshot, where: string): void {
  const names = Object.keys(snap.caches);
  if (!names.some((n) => 'object_size' in snap.caches[n]! || 'objsize' in snap.caches[n]!)) {
    throw new SlabInputError(`${where}: not a slab sysfs tree (no cache directory has object_size or objsize)`);
  }
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
