/**
 * /proc/slabinfo version 2.1: the writer (as SLUB's s_show prints it, mm/slub.c in v2.6.25) and a
 * parser that reads both this writer's output and a real kernel's /proc/slabinfo (SLUB or SLAB).
 *
 * SLUB prints one line per real cache (merged caches appear once, under the first creator's name),
 * newest first, with the SLAB tunables and sharedavail fields as 0.
 */
import type { SlubAllocator } from '../mm/slub.js';

export const SLABINFO_HEADER = [
  'slabinfo - version: 2.1',
  '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>',
];

/** /proc/slabinfo 2.1 as SLUB prints it: newest cache first, tunables and shared fields zero. */
export function formatProcSlabinfo(slub: SlubAllocator): string {
  const lines = [...SLABINFO_HEADER];
  const n = (v: number, w: number): string => String(v).padStart(w);
  for (const s of slub.slab_caches_list()) {
    const r = slub.s_show(s);
    lines.push(
      `${s.name.padEnd(17)} ${n(r.active_objs, 6)} ${n(r.num_objs, 6)} ${n(s.size, 6)} ${n(s.objects, 4)} ${n(1 << s.order, 4)} : tunables ${n(0, 4)} ${n(0, 4)} ${n(0, 4)} : slabdata ${n(r.active_slabs, 6)} ${n(r.num_slabs, 6)} ${n(0, 6)}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** One /proc/slabinfo 2.x line. */
export interface SlabinfoEntry {
  name: string;
  active_objs: number;
  num_objs: number;
  objsize: number;
  objperslab: number;
  pagesperslab: number;
  limit: number;
  batchcount: number;
  sharedfactor: number;
  active_slabs: number;
  num_slabs: number;
  sharedavail: number;
}

export interface Slabinfo {
  version: string;
  entries: SlabinfoEntry[];
}

export class SlabinfoParseError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`slabinfo line ${line}: ${message}`);
    this.name = 'SlabinfoParseError';
  }
}

const ENTRY = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*:\s*tunables\s+(\d+)\s+(\d+)\s+(\d+)\s*:\s*slabdata\s+(\d+)\s+(\d+)\s+(\d+)(?:\s.*)?$/;

/**
 * Parses /proc/slabinfo version 2.x (the SLUB and SLAB formats; SLAB's optional `: globalstat` and
 * `: cpustat` columns of slabinfo 2.1 with STATS are ignored). Throws SlabinfoParseError naming the
 * line on anything else.
 */
export function parseProcSlabinfo(text: string): Slabinfo {
  const lines = text.split('\n');
  const m = /^slabinfo - version: (2\.\d+)\s*$/.exec(lines[0] ?? '');
  if (m === null) throw new SlabinfoParseError(1, `expected "slabinfo - version: 2.x", got ${JSON.stringify((lines[0] ?? '').slice(0, 60))}`);
  const entries: SlabinfoEntry[] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '' || l.startsWith('#')) continue;
    const e = ENTRY.exec(l);
    if (e === null) throw new SlabinfoParseError(i + 1, `not a slabinfo entry: ${JSON.stringify(l.slice(0, 80))}`);
    const v = e.slice(2).map(Number);
    entries.push({
      name: e[1]!,
      active_objs: v[0]!,
      num_objs: v[1]!,
      objsize: v[2]!,
      objperslab: v[3]!,
      pagesperslab: v[4]!,
      limit: v[5]!,
      batchcount: v[6]!,
      sharedfactor: v[7]!,
      active_slabs: v[8]!,
      num_slabs: v[9]!,
      sharedavail: v[10]!,
    });
  }
  return { version: m[1]!, entries };
}

/** Writes parsed entries back in the SLUB layout (for round-trip checks and re-printing). */
export function formatSlabinfoEntries(entries: readonly SlabinfoEntry[]): string {
  const n = (v: number, w: number): string => String(v).padStart(w);
  const lines = [...SLABINFO_HEADER];
  for (const e of entries) {
    lines.push(
      `${e.name.padEnd(17)} ${n(e.active_objs, 6)} ${n(e.num_objs, 6)} ${n(e.objsize, 6)} ${n(e.objperslab, 4)} ${n(e.pagesperslab, 4)} : tunables ${n(e.limit, 4)} ${n(e.batchcount, 4)} ${n(e.sharedfactor, 4)} : slabdata ${n(e.active_slabs, 6)} ${n(e.num_slabs, 6)} ${n(e.sharedavail, 6)}`,
    );
  }
  return lines.join('\n') + '\n';
}
