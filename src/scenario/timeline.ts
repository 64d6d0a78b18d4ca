/**
 * A run's timeline: the first time each step of the swap-out story happened, in simulated time,
 * so that a reader sees the order in which a machine got into (or through) a squeeze without
 * reading a trace. Not kernel code: it reads statistics the model keeps anyway (first-time marks,
 * counters' first times, watched free-page levels) and never steers the run.
 *
 * `armTimeline` sets the free-page levels to watch once the machine is booted (pages_low,
 * pages_min and the GFP_ATOMIC line of each zone an atomic allocation may use); `buildTimeline`
 * reads everything at the end of the run.
 */
import { GFP_ATOMIC } from '../include/gfp.js';
import { formatSeconds } from '../sim/time.js';
import { NR_FREE_PAGES, type PageAllocator, type zone } from '../mm/page_alloc.js';
import type { Machine } from './machine.js';
import { livePatchApplied } from './live_patch.js';
import type { RunResult, StallKind, Verdict } from './result.js';
import { WATCHDOG_CHECK_NS, watchdogIntervalNs } from '../check/watchdog.js';
import { formatDuration, NS_PER_S } from './units.js';

/** One step of the timeline. `event` is a stable name for machines; `text` says it for people. */
export interface TimelineEntry {
  t_ns: number;
  event: string;
  text: string;
}

const LEVELS = ['pages_low', 'pages_min', 'atomic_line'] as const;
const LEVEL_TEXT: Record<(typeof LEVELS)[number], string> = { pages_low: 'pages_low', pages_min: 'pages_min', atomic_line: 'the GFP_ATOMIC line' };

/** The zone's GFP_ATOMIC line for allocations whose first zone is `classzone` (PageAllocator.gfp_atomic_line). */
export function gfpAtomicLine(pa: PageAllocator, z: zone, classzone: number): number {
  return pa.gfp_atomic_line(z, classzone);
}

/**
 * The zones a GFP_ATOMIC allocation may use, with the levels to watch in each: pages_low and
 * pages_min as an allocation from the first zone of the list sees them (plus the zone's
 * lowmem_reserve for it), and the line zone_watermark_ok draws for GFP_ATOMIC's second pass
 * (ALLOC_HIGH | ALLOC_HARDER).
 */
export function watchedZones(m: Machine): { zi: number; reserve: number; levels: number[] }[] {
  const pa = m.pa;
  const zl = pa.zonelist_for(GFP_ATOMIC);
  const classzone = zl[0]!;
  return zl.map((zi) => {
    const z = pa.zones[zi]!;
    const reserve = z.lowmem_reserve[classzone]!;
    return { zi, reserve, levels: [z.pages_low + reserve, z.pages_min + reserve, gfpAtomicLine(pa, z, classzone)] };
  });
}

/** When armTimeline ran for a machine (the end of boot): levels already crossed then count from boot. */
const armedAt = new WeakMap<Machine, number>();

/** Watches each zone's pages_low, pages_min and GFP_ATOMIC line from now on. */
export function armTimeline(m: Machine): void {
  armedAt.set(m, m.k.now);
  for (const { zi, levels } of watchedZones(m)) {
    const z = m.pa.zones[zi]!;
    z.watch_levels = levels;
    // A level the zone is already at or below counts from now; later only a new low is checked.
    const free = z.vm_stat[NR_FREE_PAGES]!;
    z.watch_first_ns = levels.map((l) => (free <= l ? m.k.now : -1));
  }
}

/** The timeline of a finished run, in time order (ties in the order of the story). */
export function buildTimeline(m: Machine, r: Pick<RunResult, 'verdict' | 'sim_time_ns' | 'time_to_livelock_ns' | 'time_to_finish_ns'> & { stall: StallKind | null }): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const add = (t: number | undefined, event: string, text: string): void => {
    if (t !== undefined && t >= 0) out.push({ t_ns: t, event, text });
  };
  const k = m.k;
  const first = (mark: string): number | undefined => k.marks_first_ns.get(mark);
  // The zones' levels first: at the same instant, a level crossed is the cause of what follows.
  const classzone = m.pa.zones[m.pa.zonelist_for(GFP_ATOMIC)[0]!]!.name;
  for (const { zi, reserve, levels } of watchedZones(m)) {
    const z = m.pa.zones[zi]!;
    const of = (i: number): string => `${levels[i]}${reserve > 0 ? `, with lowmem_reserve ${reserve} for ${classzone} allocations` : ''}`;
    // Levels the zone is below from boot (lowmem_reserve can put a small low zone there): one entry.
    const boot = LEVELS.filter((_, i) => z.watch_first_ns[i] === armedAt.get(m));
    if (boot.length > 0) {
      const worst = boot.at(-1)!;
      const also = boot.length > 1 ? `, and so below ${boot.slice(0, -1).map((n) => LEVEL_TEXT[n]).join(' and ')}` : '';
      add(armedAt.get(m), `from_boot:${z.name}`, `${z.name}: free pages are at or below ${LEVEL_TEXT[worst]} (${of(LEVELS.indexOf(worst))}) from boot${also}`);
    }
    LEVELS.forEach((name, i) => {
      if (boot.includes(name)) return;
      const what =
        name === 'atomic_line'
          ? `${z.name}: free pages reach the GFP_ATOMIC line (${of(i)}): an atomic allocation now needs a free slot in an existing slab`
          : `${z.name}: free pages reach ${LEVEL_TEXT[name]} (${of(i)})`;
      add(z.watch_first_ns[i], `${name}:${z.name}`, what);
    });
  }
  add(first('balance_pgdat'), 'kswapd', 'kswapd0 starts reclaiming (balance_pgdat)');
  add(first('direct_reclaim'), 'direct_reclaim', 'first direct reclaim: an allocating task enters try_to_free_pages');
  add(m.vm.events.first_swap_write_ns, 'swap_write', 'first page written to swap (swap_writepage submits its bio)');
  add(m.vm.events.first_swap_write_done_ns, 'swap_write_done', 'first swap write completes');
  const bio = m.pools.bio;
  add(bio.first_reserve_use_ns, 'bio_reserve', "first bio taken from fs_bio_set's reserve: kmalloc-128 gave none");
  add(bio.first_wait_ns, 'bio_wait', "first task sleeps in mempool_alloc for a bio (the reserve is empty; io_schedule_timeout(5*HZ))");
  add(m.shost.stat.first_sense_failure_ns, 'sense_alloc_failed', 'first sense-buffer allocation fails in __scsi_get_command');
  const report = m.pa.failures.find((f) => f.reported);
  if (report) add(report.timeNs, 'alloc_failure_report', `first page allocation failure report: ${report.comm}, order:${report.order}, mode:0x${(report.gfp >>> 0).toString(16)}`);
  add(first('live_patch'), 'live_patch', "live patch (live_patch.at, a what-if): __scsi_get_command now falls back to the host's free-list command, as Hugh Dickins' fix has it");
  add(first('live_patch_noop'), 'live_patch_noop', 'live patch (live_patch.at): nothing to change, this kernel already falls back to the free-list command');
  add(first('free_list_used'), 'free_list_used', "the host's free-list command is used for the first time");
  const uses = m.shost.stat.free_list_uses;
  if (uses > 1) add(m.shost.stat.last_free_list_use_ns, 'free_list_last', `the free-list command is used for the last time (${uses} uses in all)`);
  add(first('defer_device_busy_0'), 'prep_defer_idle', 'first prep DEFER with nothing in flight: the queue is plugged and only the unplug timer (kblockd) retries');
  add(first('out_of_memory'), 'out_of_memory', '__alloc_pages takes its OOM path (the model kills nothing)');
  const stalled = r.verdict === 'LIVELOCK' || r.verdict === 'DEADLOCK';
  if (stalled && r.time_to_livelock_ns !== null) add(r.time_to_livelock_ns, 'progress_stopped', 'last forward progress: after this no page is copied and no swap write completes');
  // A run the live patch rescued stood still before it: say from when (a second or more, the
  // watchdog's granularity; a patch that came while the machine moved leaves no entry).
  const lp = livePatchApplied(m);
  if (!stalled && lp !== undefined && lp.changed && lp.at_ns - lp.last_progress_ns >= 1e9) {
    add(lp.last_progress_ns, 'progress_stopped', `last forward progress before the live patch: no page copied and no swap write completed for the next ${((lp.at_ns - lp.last_progress_ns) / 1e9).toFixed(2)} s, until the patch`);
  }
  if (r.time_to_finish_ns !== null) add(r.time_to_finish_ns, 'workload_finished', 'the copies finish');
  add(r.sim_time_ns, 'verdict', verdictText(r.verdict, r.stall, watchdogIntervalNs(m.params.watchdog_window_ns, WATCHDOG_CHECK_NS)));
  // Stable: entries of the same instant keep the order of the story above.
  return out.map((e, i) => ({ e, i })).sort((a, b) => a.e.t_ns - b.e.t_ns || a.i - b.i).map((x) => x.e);
}

function verdictText(v: Verdict, stall: StallKind | null, intervalNs: number): string {
  const check = intervalNs === NS_PER_S ? 'once-a-second check' : `check every ${formatDuration(intervalNs)}`;
  if (v === 'COMPLETED') return `verdict COMPLETED (the watchdog's ${check} sees the finish)`;
  if (v === 'LIMIT') return 'verdict LIMIT: the run was stopped by a limit';
  return `verdict ${v}${stall ? ` (${stall})` : ''}: the watchdog has seen no progress for its whole window`;
}

/** The timeline as text lines, for `run` and `replay`: "   3.012345 s  text". */
export function formatTimeline(t: readonly TimelineEntry[]): string[] {
  const times = t.map((e) => `${formatSeconds(e.t_ns)} s`);
  const w = Math.max(0, ...times.map((s) => s.length));
  return t.map((e, i) => `  ${times[i]!.padStart(w)}  ${e.text}`);
}
