/**
 * /proc files of a simulated machine at one instant, in 2.6.25's formats: /proc/meminfo
 * (fs/proc/proc_misc.c meminfo_read_proc), /proc/vmstat and /proc/zoneinfo (mm/vmstat.c
 * vmstat_show, zoneinfo_show_print) and /proc/slabinfo 2.1 (mm/slub.c s_show, see slabinfo.ts).
 *
 * What the model does not have is printed as the kernel would print an idle value: Buffers 0,
 * Committed_AS 0, VmallocUsed 0, no huge pages, prev_priority 12. The reclaim events the model
 * counts on the reclaim side (VmState.events) fill their /proc/vmstat names; pgsteal, pgscan_kswapd
 * and pgscan_direct are per zone in 2.6.25 while the model counts them per node, so their totals
 * are printed under the highest populated zone (where reclaim starts on this machine).
 */
import {
  NR_ACTIVE,
  NR_ANON_PAGES,
  NR_BOUNCE,
  NR_FILE_DIRTY,
  NR_FILE_MAPPED,
  NR_FILE_PAGES,
  NR_FREE_PAGES,
  NR_INACTIVE,
  NR_PAGETABLE,
  NR_SLAB_RECLAIMABLE,
  NR_SLAB_UNRECLAIMABLE,
  NR_UNSTABLE_NFS,
  NR_VM_ZONE_STAT_ITEMS,
  NR_WRITEBACK,
  vmstat_text,
} from '../mm/page_alloc.js';
import { PAGE_USE_SWAPCACHE } from '../include/page-flags.js';
import type { Machine } from '../scenario/machine.js';
import { formatProcSlabinfo } from './slabinfo.js';

export type ProcFile = 'meminfo' | 'vmstat' | 'zoneinfo' | 'slabinfo';
export const PROC_FILES: readonly ProcFile[] = ['meminfo', 'vmstat', 'zoneinfo', 'slabinfo'];

/** The read-only parts of a machine the /proc writers use. */
export type ProcView = Pick<Machine, 'pa' | 'slub' | 'vm' | 'k'>;

/** @kernel fs/proc/proc_misc.c meminfo_read_proc (x86_64, no HIGHMEM, CONFIG_HUGETLB_PAGE). */
export function formatMeminfo(m: ProcView): string {
  const pa = m.pa;
  const g = pa.vm_stat;
  const K = (pages: number): number => pages * 4;
  const swapcache = pa.nr_pages_by_use[PAGE_USE_SWAPCACHE]!;
  const si = m.vm.si;
  // NR_FILE_PAGES holds page-cache and swap-cache pages; Cached leaves the swap cache out (no buffers).
  const cached = Math.max(0, g[NR_FILE_PAGES]! - swapcache);
  const commitLimit = Math.floor((pa.totalram_pages * 50) / 100) + si.pages;
  const rows: [string, number][] = [
    ['MemTotal', K(pa.totalram_pages)],
    ['MemFree', K(g[NR_FREE_PAGES]!)],
    ['Buffers', 0],
    ['Cached', K(cached)],
    ['SwapCached', K(swapcache)],
    ['Active', K(g[NR_ACTIVE]!)],
    ['Inactive', K(g[NR_INACTIVE]!)],
    ['SwapTotal', K(si.pages)],
    ['SwapFree', K(si.pages - si.inuse_pages)],
    ['Dirty', K(g[NR_FILE_DIRTY]!)],
    ['Writeback', K(g[NR_WRITEBACK]!)],
    ['AnonPages', K(g[NR_ANON_PAGES]!)],
    ['Mapped', K(g[NR_FILE_MAPPED]!)],
    ['Slab', K(g[NR_SLAB_RECLAIMABLE]! + g[NR_SLAB_UNRECLAIMABLE]!)],
    ['SReclaimable', K(g[NR_SLAB_RECLAIMABLE]!)],
    ['SUnreclaim', K(g[NR_SLAB_UNRECLAIMABLE]!)],
    ['PageTables', K(g[NR_PAGETABLE]!)],
    ['NFS_Unstable', K(g[NR_UNSTABLE_NFS]!)],
    ['Bounce', K(g[NR_BOUNCE]!)],
    ['CommitLimit', K(commitLimit)],
    ['Committed_AS', 0],
    ['VmallocTotal', 34359738367],
    ['VmallocUsed', 0],
    ['VmallocChunk', 34359738367],
  ];
  const lines = rows.map(([n, v]) => `${`${n}:`.padEnd(14)}${String(v).padStart(8)} kB`);
  lines.push('HugePages_Total:     0', 'HugePages_Free:      0', 'HugePages_Rsvd:      0', 'HugePages_Surp:      0', 'Hugepagesize:     2048 kB');
  return lines.join('\n') + '\n';
}

/** /proc/vmstat values by name, in vmstat_text order (the page allocator keeps every counter). */
export function vmstatValues(m: ProcView): [string, number][] {
  const vals = m.pa.vmstat_values();
  return vmstat_text.map((n, i) => [n, vals[i]!]);
}

/** @kernel mm/vmstat.c vmstat_show: "name value" per line. */
export function formatVmstat(m: ProcView): string {
  return vmstatValues(m).map(([n, v]) => `${n} ${v}`).join('\n') + '\n';
}

/**
 * @kernel mm/vmstat.c zoneinfo_show_print (populated zones; one pcp list per CPU, as 2.6.25 keeps).
 * Counters are read as zone_page_state does (a counter that per-CPU deltas took below 0 reads 0);
 * "vm stats threshold" is 0 with the default exact counters (`machine.vmstat`).
 */
export function formatZoneinfo(m: ProcView): string {
  const out: string[] = [];
  for (const z of m.pa.zones) {
    if (!z.populated) continue;
    let s = `Node 0, zone ${z.name.padStart(8)}`;
    s += `\n  pages free     ${Math.max(0, z.vm_stat[NR_FREE_PAGES]!)}`;
    s += `\n        min      ${z.pages_min}`;
    s += `\n        low      ${z.pages_low}`;
    s += `\n        high     ${z.pages_high}`;
    s += `\n        scanned  ${z.pages_scanned} (a: ${m.vm.nr_scan_active[z.idx] ?? 0} i: ${m.vm.nr_scan_inactive[z.idx] ?? 0})`;
    s += `\n        spanned  ${z.spanned_pages}`;
    s += `\n        present  ${z.present_pages}`;
    for (let i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++) s += `\n    ${vmstat_text[i]!.padEnd(12)} ${Math.max(0, z.vm_stat[i]!)}`;
    s += `\n        protection: (${Array.from(z.lowmem_reserve).join(', ')})`;
    s += '\n  pagesets';
    z.pcp.forEach((p, cpu) => {
      s += `\n    cpu: ${cpu}\n              count: ${p.count}\n              high:  ${p.high}\n              batch: ${p.batch}\n  vm stats threshold: ${z.stat_threshold}`;
    });
    s += `\n  all_unreclaimable: ${z.all_unreclaimable ? 1 : 0}\n  prev_priority:     12\n  start_pfn:         ${z.zone_start_pfn}`;
    out.push(s);
  }
  return out.join('\n') + '\n';
}

/** All four files at the current instant. */
export function procSnapshot(m: ProcView): Record<ProcFile, string> {
  return { meminfo: formatMeminfo(m), vmstat: formatVmstat(m), zoneinfo: formatZoneinfo(m), slabinfo: formatProcSlabinfo(m.slub) };
}

/** An instant as seconds with `digits` decimals (truncated), trailing zeros trimmed: "1.5s", "30s". */
function secondsName(timeNs: number, digits: 6 | 9): string {
  const unit = 10 ** (9 - digits);
  const ticks = Math.floor(timeNs / unit);
  const perSecond = 10 ** digits;
  const sec = Math.floor(ticks / perSecond);
  const frac = String(ticks - sec * perSecond).padStart(digits, '0').replace(/0+$/, '');
  return frac === '' ? `${sec}s` : `${sec}.${frac}s`;
}

/** Directory name of a snapshot: seconds to the microsecond, trailing zeros trimmed, e.g. "1.5s", "30s". */
export function snapshotDirName(timeNs: number): string {
  return secondsName(timeNs, 6);
}

/**
 * Directory names for a run's snapshot instants (ns), one per distinct instant, unique. Each is
 * snapshotDirName's (microseconds) unless another instant falls in the same microsecond; those
 * instants are named to the nanosecond instead ("1s" and "1.000000001s"), so no snapshot replaces
 * another. An instant on a whole microsecond has the same name either way, and every name reads
 * as the instant in decimal seconds, so `sort -n` lists the directories in time order.
 */
export function snapshotDirNames(timesNs: Iterable<number>): Map<number, string> {
  const byMicro = new Map<string, number[]>();
  for (const t of new Set(timesNs)) {
    const name = snapshotDirName(t);
    byMicro.set(name, [...(byMicro.get(name) ?? []), t]);
  }
  const names = new Map<number, string>();
  for (const [name, ts] of byMicro) for (const t of ts) names.set(t, ts.length === 1 ? name : secondsName(t, 9));
  return names;
}
