/**
 * Squeezes: the stretches of a run during which free memory is at or below the GFP_ATOMIC line in
 * every zone an atomic allocation may use, so that a GFP_ATOMIC allocation (the SCSI prep's sense
 * buffer and command) can only take a free slot in a slab that already exists. The timeline gives
 * the first time the line is reached; this gives every squeeze, how long it lasted and what the
 * host did meanwhile: whether commands kept completing and the preps kept finding sense buffers
 * (a squeeze the machine gets through), or the host drained (the patch's latch).
 *
 * Observation only: the page allocator reports crossings of a line set on each zone
 * (zone.squeeze_line, PageAllocator.on_squeeze), and this module reads counters at each end.
 */
import { NR_FREE_PAGES, NR_WRITEBACK } from '../mm/page_alloc.js';
import type { zone } from '../mm/page_alloc.js';
import type { Machine } from './machine.js';
import { formatSeconds } from '../sim/time.js';
import { watchedZones } from './timeline.js';

/** One squeeze. Counts are of what happened between its start and its end. */
export interface Squeeze {
  start_ns: number;
  /** When free memory rose above the line again in some zone; null if the run ended squeezed. */
  end_ns: number | null;
  /** Lowest free count of the zonelist's first zone minus its line, during the squeeze (pages; <= 0). */
  deepest_pages: number;
  /** SCSI commands completed (device_busy counted down by scsi_device_unbusy). */
  commands_completed: number;
  /** Commands dispatched to the device. */
  commands_dispatched: number;
  /** Uses of the host's free-list command. */
  free_list_uses: number;
  /** Failed sense-buffer allocations in __scsi_get_command. */
  sense_failures: number;
  /** Prep DEFERs (any cause), and those with nothing in flight (the queue plugged). */
  prep_defers: number;
  prep_defers_idle: number;
  /** Swap writes that completed. */
  swap_writes_completed: number;
  /** device_busy and pages under writeback at the start and at the end. */
  device_busy_start: number;
  device_busy_end: number;
  writeback_start: number;
  writeback_end: number;
}

/** Where a squeeze is, in the words every output uses ("free memory at or below ..."). */
export const SQUEEZE_LINE_TEXT = 'the GFP_ATOMIC line in every zone an atomic allocation may use';

/** At most this many squeezes are kept in full (the count goes on). */
export const MAX_SQUEEZES = 100;

interface Counters {
  completed: number;
  dispatched: number;
  free_list_uses: number;
  sense_failures: number;
  defers: number;
  defers_idle: number;
  swap_writes: number;
}

interface State {
  list: Squeeze[];
  count: number;
  total_ns: number;
  open: { s: Squeeze; at: Counters } | null;
}

const states = new WeakMap<Machine, State>();

function counters(m: Machine): Counters {
  const st = m.sdev.stat;
  return {
    completed: st.dispatched - m.sdev.device_busy,
    dispatched: st.dispatched,
    free_list_uses: m.shost.stat.free_list_uses,
    sense_failures: m.shost.stat.sense_failures,
    defers: st.defers,
    defers_idle: st.defers_plugged,
    swap_writes: m.vm.events.swap_writes_completed,
  };
}

/** Closes the open squeeze at `now` (end_ns null: the run ended inside it). */
function close(m: Machine, st: State, ended: boolean): void {
  const o = st.open;
  if (o === null) return;
  const c = counters(m);
  const s = o.s;
  s.end_ns = ended ? m.k.now : null;
  s.commands_completed = c.completed - o.at.completed;
  s.commands_dispatched = c.dispatched - o.at.dispatched;
  s.free_list_uses = c.free_list_uses - o.at.free_list_uses;
  s.sense_failures = c.sense_failures - o.at.sense_failures;
  s.prep_defers = c.defers - o.at.defers;
  s.prep_defers_idle = c.defers_idle - o.at.defers_idle;
  s.swap_writes_completed = c.swap_writes - o.at.swap_writes;
  s.device_busy_end = m.sdev.device_busy;
  s.writeback_end = m.pa.vm_stat[NR_WRITEBACK]!;
  s.deepest_pages = firstZone(m).squeeze_deepest;
  st.total_ns += m.k.now - s.start_ns;
  st.open = null;
}

function firstZone(m: Machine): zone {
  return m.pa.zones[watchedZones(m)[0]!.zi]!;
}

function open(m: Machine, st: State): void {
  st.count++;
  const z = firstZone(m);
  z.squeeze_deepest = z.vm_stat[NR_FREE_PAGES]! - z.squeeze_line;
  const s: Squeeze = {
    start_ns: m.k.now,
    end_ns: null,
    deepest_pages: 0,
    commands_completed: 0,
    commands_dispatched: 0,
    free_list_uses: 0,
    sense_failures: 0,
    prep_defers: 0,
    prep_defers_idle: 0,
    swap_writes_completed: 0,
    device_busy_start: m.sdev.device_busy,
    device_busy_end: 0,
    writeback_start: m.pa.vm_stat[NR_WRITEBACK]!,
    writeback_end: 0,
  };
  if (st.list.length < MAX_SQUEEZES) st.list.push(s);
  st.open = { s, at: counters(m) };
}

/** Follows the GFP_ATOMIC line of every zone an atomic allocation may use, from now on. */
export function armSqueezes(m: Machine): void {
  const st: State = { list: [], count: 0, total_ns: 0, open: null };
  states.set(m, st);
  const pa = m.pa;
  const zones = watchedZones(m);
  pa.squeeze_zones = zones.length;
  pa.squeeze_zones_below = 0;
  for (const { zi, levels } of zones) {
    const z = pa.zones[zi]!;
    z.squeeze_line = levels[levels.length - 1]!;
    z.squeeze_below = z.vm_stat[NR_FREE_PAGES]! <= z.squeeze_line;
    if (z.squeeze_below) pa.squeeze_zones_below++;
  }
  pa.on_squeeze = (entering) => (entering ? open(m, st) : close(m, st, true));
  if (pa.squeeze_zones_below === pa.squeeze_zones) open(m, st);
}

/**
 * The squeezes of a finished run: those kept in full, how many there were, how many of them ended
 * before the run did, and their total time.
 */
export function collectSqueezes(m: Machine): { list: Squeeze[]; count: number; ended: number; total_ns: number } {
  const st = states.get(m);
  if (st === undefined) return { list: [], count: 0, ended: 0, total_ns: 0 };
  // A squeeze still open at the end is measured up to now and left open (end_ns null).
  const open = st.open !== null ? 1 : 0;
  close(m, st, false);
  return { list: st.list.slice(), count: st.count, ended: st.count - open, total_ns: st.total_ns };
}

/** "   3.629 s - 3.712 s (83 ms): ..." lines for `run` and `replay`. */
export function formatSqueezes(list: readonly Squeeze[], count: number): string[] {
  const out = list.map((s) => {
    const end = s.end_ns === null ? 'the end of the run' : `${formatSeconds(s.end_ns)} s`;
    const span = s.end_ns === null ? '' : ` (${formatSpan(s.end_ns - s.start_ns)})`;
    const parts = [
      `${s.commands_completed} commands completed`,
      `${s.swap_writes_completed} swap writes completed`,
      `${s.sense_failures} sense allocations failed`,
      `${s.prep_defers} prep DEFERs (${s.prep_defers_idle} with nothing in flight)`,
    ];
    if (s.free_list_uses > 0) parts.push(`${s.free_list_uses} free-list uses`);
    parts.push(`device_busy ${s.device_busy_start} -> ${s.device_busy_end}`, `under writeback ${s.writeback_start} -> ${s.writeback_end}`, `${-s.deepest_pages} pages under the line at most`);
    return `  ${formatSeconds(s.start_ns)} s - ${end}${span}: ${parts.join(', ')}`;
  });
  if (count > list.length) out.push(`  ... and ${count - list.length} more (the first ${list.length} are kept)`);
  return out;
}

/** A length of time rounded for reading: 83 ms, 1.25 s, 420 us (units.ts formatDuration gives exact scenario values). */
export function formatSpan(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(2)} s`;
  if (ns >= 1e6) return `${Math.round(ns / 1e6)} ms`;
  return `${Math.round(ns / 1e3)} us`;
}

/** The squeezes section of `run` and `replay`: a header line, then one line per squeeze. */
export function squeezeSection(r: { squeezes?: readonly Squeeze[]; figures: Readonly<Record<string, number>> }): string[] {
  const count = r.figures['squeezes'] ?? 0;
  const list = r.squeezes ?? [];
  if (count === 0) return [`squeezes: none (free memory never reached ${SQUEEZE_LINE_TEXT})`];
  const total = r.figures['squeezed_ns'] ?? 0;
  return [`squeezes: ${count} (free memory at or below ${SQUEEZE_LINE_TEXT}; ${formatSpan(total)} in all):`, ...formatSqueezes(list, count)];
}
