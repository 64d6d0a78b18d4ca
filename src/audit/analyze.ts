/**
 * The audit proper, a pure function of a slab snapshot: alias groups (who shares a kmem_cache),
 * the I/O-path caches that share slots with strangers, and the geometry check of our SLUB model
 * against what the kernel reports.
 *
 * Geometry check: for every real cache, take what sysfs shows (object size, final alignment,
 * flags, ctor presence) and predict slot size, page order and objects per slab with the profile of
 * the kernel's generation (slub_2_6_25 or slub_modern); compare with slab_size, order and
 * objs_per_slab. Caches lacking an input attribute are "unchecked", not mismatches.
 */
import { calculate_sizes, slub_2_6_25 } from '../mm/slub_geometry.js';
import type { CacheGeometry } from '../mm/slub_geometry.js';
import {
  SLAB_KMALLOC_MARK,
  calculate_sizes_modern,
  cpu_partial_modern,
  kmalloc_align_modern,
  min_partial_modern,
  slub_modern,
} from '../mm/slub_geometry_modern.js';
import type { ModernGeometryRules } from '../mm/slub_geometry_modern.js';
import { ioPathEntry } from './io_path_caches.js';
import type { IoFamily } from './io_path_caches.js';
import { parseCpuList, resolveAliases } from './sysfs.js';
import type { RawAttributes, SlabSnapshot } from './sysfs.js';

// Flag bits in slub_geometry.ts numbering.
const F = {
  RED_ZONE: 0x400,
  POISON: 0x800,
  HWCACHE_ALIGN: 0x2000,
  CACHE_DMA: 0x4000,
  STORE_USER: 0x10000,
  RECLAIM_ACCOUNT: 0x20000,
  RCU: 0x80000,
  KMALLOC: SLAB_KMALLOC_MARK,
} as const;

export type ProfileName = '2.6.25' | 'legacy' | 'modern';

export interface AuditOptions {
  /** 'auto' picks from the kernel release (or, unknown, from the attribute names). */
  profile?: ProfileName | 'auto';
  /** Overrides nr_cpu_ids and the present CPU count. */
  cpus?: number;
  /** Label for the source in reports (a path). */
  source?: string;
}

export interface CacheFlags {
  ctor: boolean | null;
  hwcache_align: boolean | null;
  reclaim_account: boolean | null;
  cache_dma: boolean | null;
  poison: boolean | null;
  red_zone: boolean | null;
  store_user: boolean | null;
  destroy_by_rcu: boolean | null;
  trace: boolean | null;
  sanity_checks: boolean | null;
  /** SLAB_ACCOUNT: visible only as the 'A' letter in a merged cache's name. */
  account: boolean | null;
}

export interface CacheInfo {
  /** Directory name in /sys/kernel/slab. */
  id: string;
  /** Alias link names resolving to this cache, sorted. */
  aliases: string[];
  object_size: number | null;
  slab_size: number | null;
  align: number | null;
  order: number | null;
  objs_per_slab: number | null;
  /** Objects allocated (sysfs `objects`). */
  objects: number | null;
  total_objects: number | null;
  slabs: number | null;
  cpu_partial: number | null;
  min_partial: number | null;
  /** sysfs `aliases` (refcount - 1). */
  aliases_attr: number | null;
  flags: CacheFlags;
  /** Short flag letters, slabinfo style. */
  flag_letters: string;
  kmalloc: boolean;
}

export interface IoMember {
  name: string;
  family: IoFamily;
  role: string;
}

export interface AliasGroup {
  id: string;
  aliases: string[];
  /** Names that allocate from this cache: the aliases, plus the directory name unless it is a
   * merged unique id (":0000128"). */
  users: string[];
  object_size: number | null;
  slab_size: number | null;
  objs_per_slab: number | null;
  order: number | null;
  objects: number | null;
  flag_letters: string;
  io: IoMember[];
  /** Users not on the I/O path. */
  strangers: string[];
  risk: 'high' | 'medium' | null;
  /** One line: why this sharing is a risk (null when it is not). */
  risk_reason: string | null;
  /** The number of links matches the kernel's own count (aliases attribute); null if unknown. */
  alias_count_consistent: boolean | null;
}

export interface GeometryMismatch {
  id: string;
  field: 'slab_size' | 'order' | 'objs_per_slab';
  predicted: number;
  actual: number;
  reason: string;
}

export interface GeometryRow {
  id: string;
  status: 'agree' | 'mismatch' | 'unchecked';
  predicted: { slab_size: number; order: number; objs_per_slab: number } | null;
  actual: { slab_size: number | null; order: number | null; objs_per_slab: number | null };
  note: string | null;
}

export interface GeometryCheck {
  profile: ProfileName;
  profile_name: string;
  profile_reason: string;
  nr_cpu_ids: number | null;
  nr_present_cpus: number | null;
  slub_min_objects: number;
  slub_max_order: number;
  checked: number;
  agree: number;
  unchecked: number;
  /** agree / checked, 0..1 (1 when nothing was checked). */
  agreement: number;
  mismatches: GeometryMismatch[];
  /** Caches agreeing only through a layout sysfs cannot show (noted, counted as agree). */
  notes: { id: string; note: string }[];
  /** Secondary tunables (modern profiles): min_partial and cpu_partial predicted vs sysfs. */
  tunables: { checked: number; agree: number; mismatches: { id: string; field: string; predicted: number; actual: number }[] };
  /** kmalloc caches whose alignment differs from the kmalloc alignment rule. */
  kmalloc_align_mismatches: { id: string; predicted: number; actual: number }[];
  rows: GeometryRow[];
}

export interface AuditResult {
  source: string;
  kernel: SlabSnapshot['kernel'];
  caches: CacheInfo[];
  groups: AliasGroup[];
  at_risk: AliasGroup[];
  io_caches_total: number;
  geometry: GeometryCheck;
}

function num(a: RawAttributes, key: string): number | null {
  const v = a[key];
  if (v === undefined || v === null) return null;
  const m = /^-?\d+/.exec(v);
  return m ? Number(m[0]) : null;
}

function bool(a: RawAttributes, key: string): boolean | null {
  const n = num(a, key);
  return n === null ? null : n !== 0;
}

/** A merged cache's sysfs name: ':' + flag letters + '-' + 7-digit size (create_unique_id). */
const UNIQUE_ID = /^:([a-zA-Z]*-)?\d{7}$/;
const KMALLOC_NAME = /^(dma-)?kmalloc(_dma)?-(cg-|rcl-|rnd-\d+-)?\d+k?$/;

function cacheInfo(id: string, a: RawAttributes, aliases: string[]): CacheInfo {
  const ctorRaw = a['ctor'];
  const idLetters = UNIQUE_ID.test(id) ? (/^:([a-zA-Z]*)/.exec(id)?.[1] ?? '') : null;
  const flags: CacheFlags = {
    ctor: ctorRaw === undefined || ctorRaw === null ? null : ctorRaw.length > 0,
    hwcache_align: bool(a, 'hwcache_align'),
    reclaim_account: bool(a, 'reclaim_account'),
    cache_dma: bool(a, 'cache_dma'),
    poison: bool(a, 'poison'),
    red_zone: bool(a, 'red_zone'),
    store_user: bool(a, 'store_user'),
    destroy_by_rcu: bool(a, 'destroy_by_rcu'),
    trace: bool(a, 'trace'),
    sanity_checks: bool(a, 'sanity_checks'),
    account: idLetters === null ? null : idLetters.includes('A'),
  };
  const letters =
    (flags.cache_dma ? 'd' : '') +
    (flags.reclaim_account ? 'a' : '') +
    (flags.account ? 'A' : '') +
    (flags.hwcache_align ? 'H' : '') +
    (flags.destroy_by_rcu ? 'R' : '') +
    (flags.ctor ? 'C' : '') +
    (flags.poison ? 'P' : '') +
    (flags.red_zone ? 'Z' : '') +
    (flags.store_user ? 'U' : '') +
    (flags.sanity_checks ? 'F' : '') +
    (flags.trace ? 'T' : '');
  return {
    id,
    aliases,
    object_size: num(a, 'object_size') ?? num(a, 'objsize'),
    slab_size: num(a, 'slab_size'),
    align: num(a, 'align'),
    order: num(a, 'order'),
    objs_per_slab: num(a, 'objs_per_slab'),
    objects: num(a, 'objects'),
    total_objects: num(a, 'total_objects'),
    slabs: num(a, 'slabs'),
    cpu_partial: num(a, 'cpu_partial'),
    min_partial: num(a, 'min_partial'),
    aliases_attr: num(a, 'aliases'),
    flags,
    flag_letters: letters,
    kmalloc: KMALLOC_NAME.test(id) || aliases.some((n) => KMALLOC_NAME.test(n)),
  };
}

function riskOf(c: CacheInfo, users: string[]): Pick<AliasGroup, 'io' | 'strangers' | 'risk' | 'risk_reason'> {
  const io: IoMember[] = [];
  const strangers: string[] = [];
  for (const u of users) {
    const e = ioPathEntry(u);
    if (e) io.push({ name: u, family: e.family, role: e.role });
    else strangers.push(u);
  }
  if (io.length === 0 || users.length < 2) return { io, strangers, risk: null, risk_reason: null };
  const families = [...new Set(io.map((m) => m.family))];
  const slot = c.slab_size === null ? 'the same' : `${c.slab_size}-byte`;
  const ioList = io.map((m) => `${m.name} (${m.family})`).join(', ');
  const verb = io.length === 1 ? 'shares' : 'share';
  const others = strangers.length > 0 ? ` with ${strangers.join(', ')}` : '';
  if (families.length >= 2) {
    return {
      io,
      strangers,
      risk: 'high',
      risk_reason: `${ioList} ${verb} ${slot} slots${others}: two layers of one write's I/O chain draw from the same slabs, so a burst of one can leave the other no slot (the 2.6.25 bio/sense_buffer livelock pattern)`,
    };
  }
  if (strangers.length === 0) return { io, strangers, risk: null, risk_reason: null };
  return {
    io,
    strangers,
    risk: 'medium',
    risk_reason: `${ioList} ${verb} ${slot} slots${others}: unrelated allocations can hold every free slot and partial slab when the ${families[0]} path needs one under memory pressure`,
  };
}

function selectProfile(snap: SlabSnapshot, want: AuditOptions['profile']): { profile: ProfileName; reason: string } {
  if (want && want !== 'auto') return { profile: want, reason: 'chosen with --profile' };
  const rel = snap.kernel.release;
  const m = rel === null ? null : /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(rel);
  if (m) {
    const [maj, min, sub] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
    if (maj === 2 && min === 6 && sub <= 25) return { profile: '2.6.25', reason: `kernel ${rel} is 2.6.25 or older` };
    if (maj < 6 || (maj === 6 && min < 8)) return { profile: 'legacy', reason: `kernel ${rel} predates the v6.8 calculate_order rework` };
    return { profile: 'modern', reason: `kernel ${rel} is v6.8 or later` };
  }
  const any = Object.values(snap.caches);
  const oldNames = any.some((a) => 'objsize' in a) && !any.some((a) => 'object_size' in a);
  return oldNames
    ? { profile: '2.6.25', reason: 'kernel release unknown; attribute `objsize` suggests a 2.6.2x kernel' }
    : { profile: 'modern', reason: 'kernel release unknown; assumed v6.8 or later' };
}

function flagBits(c: CacheInfo): number {
  const f = c.flags;
  return (
    (f.red_zone ? F.RED_ZONE : 0) |
    (f.poison ? F.POISON : 0) |
    (f.hwcache_align ? F.HWCACHE_ALIGN : 0) |
    (f.cache_dma ? F.CACHE_DMA : 0) |
    (f.store_user ? F.STORE_USER : 0) |
    (f.reclaim_account ? F.RECLAIM_ACCOUNT : 0) |
    (f.destroy_by_rcu ? F.RCU : 0) |
    (c.kmalloc ? F.KMALLOC : 0)
  );
}

function explainOrder(c: CacheInfo, size: number, profile: ProfileName, rules: ModernGeometryRules | null): string {
  if (profile === '2.6.25' || rules === null) return `order differs at slot size ${size}: slub_min_order/slub_max_order/slub_min_objects boot options, or rules of another kernel generation`;
  const fits: number[] = [];
  for (const cpus of [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]) {
    const r = slub_modern({ nr_cpu_ids: cpus, nr_present_cpus: cpus, order_loop: rules.order_loop });
    if (r.calculate_order(size) === c.order) fits.push(cpus);
  }
  const hint = fits.length > 0 ? `; the sysfs order fits a CPU count of ${fits.slice(0, 3).join('/')}` : '; no CPU count explains it';
  return `order differs at slot size ${size} with slub_min_objects ${rules.slub_min_objects} (from ${rules.nr_present_cpus} CPUs)${hint}: a slub_min_objects/slub_max_order boot option or a different CPU count`;
}

function checkGeometry(snap: SlabSnapshot, caches: CacheInfo[], o: AuditOptions): GeometryCheck {
  const { profile, reason } = selectProfile(snap, o.profile);
  const possible = parseCpuList(snap.kernel.cpu_possible);
  const present = parseCpuList(snap.kernel.cpu_present);
  const nr_cpu_ids = o.cpus ?? possible?.nr_cpu_ids ?? null;
  const nr_present = o.cpus ?? present?.count ?? nr_cpu_ids;
  const modern = profile === '2.6.25' ? null : slub_modern({ nr_cpu_ids: nr_cpu_ids ?? 1, nr_present_cpus: nr_present ?? nr_cpu_ids ?? 1, order_loop: profile === 'modern' ? 'v6.8' : 'legacy' });
  const old = slub_2_6_25();
  const rules = modern ?? old;
  const rows: GeometryRow[] = [];
  const mismatches: GeometryMismatch[] = [];
  const notes: { id: string; note: string }[] = [];
  const tunables = { checked: 0, agree: 0, mismatches: [] as { id: string; field: string; predicted: number; actual: number }[] };
  const kmallocAlign: { id: string; predicted: number; actual: number }[] = [];
  let agree = 0;
  let unchecked = 0;
  for (const c of caches) {
    const actual = { slab_size: c.slab_size, order: c.order, objs_per_slab: c.objs_per_slab };
    const f = c.flags;
    const missing = c.object_size === null || c.align === null || f.ctor === null || f.destroy_by_rcu === null || actual.slab_size === null || actual.order === null || actual.objs_per_slab === null;
    if (missing) {
      unchecked++;
      rows.push({ id: c.id, status: 'unchecked', predicted: null, actual, note: 'an input or output attribute is unknown (missing or unreadable)' });
      continue;
    }
    const bits = flagBits(c);
    const predict = (rcuFreeptrOffset: boolean): CacheGeometry =>
      modern
        ? calculate_sizes_modern(modern, c.object_size!, c.align!, bits, f.ctor!, { rcu_freeptr_offset: rcuFreeptrOffset })
        : calculate_sizes(old, c.object_size!, c.align!, bits, f.ctor!);
    let g = predict(false);
    let note: string | null = null;
    if (modern && f.destroy_by_rcu && !f.ctor && g.size !== actual.slab_size) {
      const alt = predict(true);
      if (alt.size === actual.slab_size) {
        g = alt;
        note = 'SLAB_TYPESAFE_BY_RCU with a freeptr_offset (v6.12+): free pointer inside the object, no extra word';
        notes.push({ id: c.id, note });
      }
    }
    const predicted = { slab_size: g.size, order: g.order, objs_per_slab: g.objects };
    const rowMismatches: GeometryMismatch[] = [];
    if (g.size !== actual.slab_size) {
      const d = actual.slab_size! - g.size;
      const why =
        d > 0
          ? `sysfs slot is ${d} bytes larger than object ${c.object_size} aligned to ${c.align} with the visible flags: metadata sysfs does not show (KASAN, a debug option set at boot) or an aliased user with a bigger object`
          : `sysfs slot is ${-d} bytes smaller than predicted: the model adds metadata (free pointer or debug) this kernel does not`;
      rowMismatches.push({ id: c.id, field: 'slab_size', predicted: g.size, actual: actual.slab_size!, reason: why });
    } else {
      if (g.order !== actual.order) rowMismatches.push({ id: c.id, field: 'order', predicted: g.order, actual: actual.order!, reason: explainOrder(c, g.size, profile, modern) });
      const expectedObjs = Math.floor((4096 * 2 ** actual.order!) / actual.slab_size!);
      if (g.objects !== actual.objs_per_slab && (g.order === actual.order || expectedObjs !== actual.objs_per_slab)) {
        rowMismatches.push({
          id: c.id,
          field: 'objs_per_slab',
          predicted: g.objects,
          actual: actual.objs_per_slab!,
          reason: expectedObjs === actual.objs_per_slab ? 'follows from the order mismatch' : `a ${4096 * 2 ** actual.order!}-byte slab of ${actual.slab_size}-byte slots holds ${expectedObjs}: bytes reserved at the slab end or a page size other than 4 KiB`,
        });
      }
    }
    if (rowMismatches.length === 0) agree++;
    mismatches.push(...rowMismatches);
    rows.push({ id: c.id, status: rowMismatches.length === 0 ? 'agree' : 'mismatch', predicted, actual, note });
    if (modern) {
      const debug = !!(f.poison || f.red_zone || f.store_user || f.sanity_checks || f.trace);
      if (c.min_partial !== null) {
        tunables.checked++;
        const p = min_partial_modern(actual.slab_size!);
        if (p === c.min_partial) tunables.agree++;
        else tunables.mismatches.push({ id: c.id, field: 'min_partial', predicted: p, actual: c.min_partial });
      }
      if (c.cpu_partial !== null) {
        tunables.checked++;
        const p = cpu_partial_modern(actual.slab_size!, debug);
        if (p === c.cpu_partial) tunables.agree++;
        else tunables.mismatches.push({ id: c.id, field: 'cpu_partial', predicted: p, actual: c.cpu_partial });
      }
      if (c.kmalloc && KMALLOC_NAME.test(c.id)) {
        const p = kmalloc_align_modern(c.object_size!);
        if (p !== c.align) kmallocAlign.push({ id: c.id, predicted: p, actual: c.align! });
      }
    }
  }
  const checked = caches.length - unchecked;
  return {
    profile,
    profile_name: rules.name,
    profile_reason: reason,
    nr_cpu_ids,
    nr_present_cpus: nr_present,
    slub_min_objects: modern ? modern.slub_min_objects : old.slub_min_objects,
    slub_max_order: rules.slub_max_order,
    checked,
    agree,
    unchecked,
    agreement: checked === 0 ? 1 : agree / checked,
    mismatches,
    notes,
    tunables,
    kmalloc_align_mismatches: kmallocAlign,
    rows,
  };
}

/** Runs the whole audit over a validated snapshot. */
export function analyzeSnapshot(snap: SlabSnapshot, o: AuditOptions = {}): AuditResult {
  const resolved = resolveAliases(snap, o.source ?? 'snapshot');
  const byTarget = new Map<string, string[]>();
  for (const [alias, target] of resolved) {
    const list = byTarget.get(target) ?? [];
    list.push(alias);
    byTarget.set(target, list);
  }
  const caches = Object.keys(snap.caches)
    .sort()
    .map((id) => cacheInfo(id, snap.caches[id]!, (byTarget.get(id) ?? []).sort()));
  const groups: AliasGroup[] = [];
  for (const c of caches) {
    if (c.aliases.length === 0) continue;
    const merged = UNIQUE_ID.test(c.id);
    const users = merged ? [...c.aliases] : [c.id, ...c.aliases];
    const expectedAttr = merged ? c.aliases.length - 1 : c.aliases.length;
    groups.push({
      id: c.id,
      aliases: c.aliases,
      users,
      object_size: c.object_size,
      slab_size: c.slab_size,
      objs_per_slab: c.objs_per_slab,
      order: c.order,
      objects: c.objects,
      flag_letters: c.flag_letters,
      ...riskOf(c, users),
      alias_count_consistent: c.aliases_attr === null ? null : c.aliases_attr === expectedAttr,
    });
  }
  const rank = (g: AliasGroup): number => (g.risk === 'high' ? 0 : 1);
  const at_risk = groups.filter((g) => g.risk !== null).sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ioNames = [...Object.keys(snap.caches), ...resolved.keys()].filter((n) => ioPathEntry(n) !== undefined);
  return {
    source: o.source ?? 'snapshot',
    kernel: snap.kernel,
    caches,
    groups,
    at_risk,
    io_caches_total: ioNames.length,
    geometry: checkGeometry(snap, caches, o),
  };
}

