/**
 * Chrome trace-event JSON (the "JSON Array/Object format" that ui.perfetto.dev and
 * chrome://tracing open) of one run:
 * - counters ("C") from the metrics series: free pages per zone with min/low/high, nr_writeback,
 *   the bio cache's objects by owner (bio, scsi sense buffers, others), the fs_bio_set bio mempool
 *   (curr_nr and waiters), the request queue and device (requests, device_busy, free-list command);
 * - nestable async slices ("b"/"e", cat "block"): each request from block_rq_insert to
 *   block_rq_complete (paired by the rq id field) with a nested "issued" slice from
 *   block_rq_issue (the driver's first look at it, before its prep, as blktrace's D), and each bio from block_bio_queue to block_bio_complete (paired by sector);
 * - duration slices ("B"/"E") on a task's track for direct reclaim (mm_vmscan_direct_reclaim_begin/end);
 * - instants ("i"): page allocation failures (from the page allocator's failure records, so they
 *   appear whatever the event filter) and SCSI prep DEFERs (scsi:scsi_prep_defer).
 * Slices still open at the end of the trace are closed at its last instant with
 * args.open_at_end = true; ends whose begin was overwritten in the ring are dropped.
 * Timestamps are microseconds (fractional: the model's nanoseconds are kept).
 */
import { TRACEPOINTS, TP, type TraceRecord, type TraceValue } from '../kernel/trace.js';
import type { AllocFailure } from '../mm/page_alloc.js';
import type { MetricsSeries } from '../check/metrics.js';
import { gfpName } from './ftrace.js';

export interface TraceEvent {
  name: string;
  ph: 'B' | 'E' | 'b' | 'e' | 'i' | 'C' | 'M';
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  id?: string;
  s?: 'g' | 'p' | 't';
  args?: Record<string, number | string | boolean>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ns';
  otherData: Record<string, string | number>;
}

export interface PerfettoInput {
  title: string;
  records: readonly TraceRecord[];
  overwritten: number;
  series: MetricsSeries | null;
  failures: readonly AllocFailure[];
  /** Tasks to name (pid -> comm), in addition to those seen in records. */
  tasks: readonly { pid: number; comm: string }[];
  /** Last simulated instant of the run, ns (open slices end here). */
  endNs: number;
}

const PID = 1;
/** Pseudo thread for process-scoped async and counter tracks. */
const us = (ns: number): number => ns / 1000;

function field(r: TraceRecord, name: string): TraceValue {
  const tp = TRACEPOINTS[r.id]!;
  return r.values[(tp.fields as readonly string[]).indexOf(name)]!;
}

export function chromeTrace(inp: PerfettoInput): ChromeTrace {
  const ev: TraceEvent[] = [];
  const meta: TraceEvent[] = [{ name: 'process_name', ph: 'M', ts: 0, pid: PID, tid: 0, args: { name: `reclaimsim: ${inp.title}` } }];
  const comms = new Map<number, string>();
  for (const t of inp.tasks) comms.set(t.pid, t.comm);
  for (const r of inp.records) if (!comms.has(r.pid)) comms.set(r.pid, r.pid === 0 ? 'swapper' : r.comm);
  for (const [pid, comm] of [...comms.entries()].sort((a, b) => a[0] - b[0])) meta.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid: pid, args: { name: `${comm}-${pid}` } });

  // Counters.
  const s = inp.series;
  if (s !== null) {
    const c = (n: string): number => s.columns.indexOf(n);
    const groups: { name: string; args: [string, number][] }[] = [
      ...s.zones.map((z) => ({ name: `${z} free pages`, args: [['free', c(`free_${z}`)], ['min', c(`min_${z}`)], ['low', c(`low_${z}`)], ['high', c(`high_${z}`)]] as [string, number][] })),
      { name: 'nr_writeback', args: [['pages', c('nr_writeback')]] },
      { name: `${s.bio_cache} objects by owner`, args: [['bio', c('bio_objs')], [`scsi_sense_cache (${s.sense_cache})`, c('sense_objs')], ['other', c('bio_cache_other_objs')], ['slots', c('bio_cache_slots')]] },
      { name: 'fs_bio_set.bio_pool', args: [['curr_nr', c('bio_pool_curr_nr')], ['waiters', c('bio_pool_waiters')]] },
      { name: 'sda', args: [['requests', c('rq_count')], ['in_flight', c('rq_in_flight')], ['device_busy', c('device_busy')], ['free_list_cmd_in_use', c('free_list_cmd_in_use')]] },
      { name: 'prep defers (total)', args: [['defers', c('prep_defers')]] },
    ];
    for (const row of s.rows) {
      for (const g of groups) ev.push({ name: g.name, ph: 'C', ts: us(row[0]!), pid: PID, tid: 0, args: Object.fromEntries(g.args.map(([n, i]) => [n, row[i]!])) });
    }
  }

  // Slices from the trace records.
  const openRq = new Map<string, { issued: boolean; name: string }>();
  const openBio = new Map<string, string[]>();
  const bioName = new Map<string, string>();
  const openReclaim = new Map<number, number>();
  let bioSeq = 0;
  for (const r of inp.records) {
    const ts = us(r.timeNs);
    switch (r.id) {
      case TP.block_rq_insert: {
        const id = `rq${field(r, 'rq')}`;
        if (openRq.has(id)) break;
        const name = `rq ${field(r, 'sector')}+${field(r, 'nr_sector')}`;
        openRq.set(id, { issued: false, name });
        ev.push({ name, ph: 'b', ts, pid: PID, tid: 0, cat: 'block', id, args: { sector: Number(field(r, 'sector')), nr_sector: Number(field(r, 'nr_sector')), comm: r.comm } });
        break;
      }
      case TP.block_rq_issue: {
        const id = `rq${field(r, 'rq')}`;
        const o = openRq.get(id);
        if (o === undefined || o.issued) break;
        o.issued = true;
        ev.push({ name: 'issued', ph: 'b', ts, pid: PID, tid: 0, cat: 'block', id });
        break;
      }
      case TP.block_rq_requeue: {
        const id = `rq${field(r, 'rq')}`;
        const o = openRq.get(id);
        if (o === undefined || !o.issued) break;
        o.issued = false;
        ev.push({ name: 'issued', ph: 'e', ts, pid: PID, tid: 0, cat: 'block', id, args: { requeued: true } });
        break;
      }
      case TP.block_rq_complete: {
        const id = `rq${field(r, 'rq')}`;
        const o = openRq.get(id);
        if (o === undefined) break;
        if (o.issued) ev.push({ name: 'issued', ph: 'e', ts, pid: PID, tid: 0, cat: 'block', id });
        ev.push({ name: o.name, ph: 'e', ts, pid: PID, tid: 0, cat: 'block', id, args: { error: Number(field(r, 'error')) } });
        openRq.delete(id);
        break;
      }
      case TP.block_bio_queue: {
        const key = `${field(r, 'dev')}:${field(r, 'sector')}`;
        const id = `bio${bioSeq++}`;
        const l = openBio.get(key) ?? [];
        l.push(id);
        openBio.set(key, l);
        bioName.set(id, `bio ${field(r, 'sector')}+${field(r, 'nr_sector')}`);
        ev.push({ name: bioName.get(id)!, ph: 'b', ts, pid: PID, tid: 0, cat: 'bio', id, args: { comm: r.comm } });
        break;
      }
      case TP.block_bio_complete: {
        const key = `${field(r, 'dev')}:${field(r, 'sector')}`;
        const l = openBio.get(key);
        const id = l?.shift();
        if (id === undefined) break;
        if (l!.length === 0) openBio.delete(key);
        bioName.delete(id);
        ev.push({ name: `bio ${field(r, 'sector')}+${field(r, 'nr_sector')}`, ph: 'e', ts, pid: PID, tid: 0, cat: 'bio', id, args: { error: Number(field(r, 'error')) } });
        break;
      }
      case TP.mm_vmscan_direct_reclaim_begin:
        openReclaim.set(r.pid, (openReclaim.get(r.pid) ?? 0) + 1);
        ev.push({ name: 'direct reclaim', ph: 'B', ts, pid: PID, tid: r.pid, args: { order: Number(field(r, 'order')), gfp_flags: gfpName(Number(field(r, 'gfp_flags'))) } });
        break;
      case TP.mm_vmscan_direct_reclaim_end: {
        const n = openReclaim.get(r.pid) ?? 0;
        if (n === 0) break;
        openReclaim.set(r.pid, n - 1);
        ev.push({ name: 'direct reclaim', ph: 'E', ts, pid: PID, tid: r.pid, args: { nr_reclaimed: Number(field(r, 'nr_reclaimed')) } });
        break;
      }
      case TP.scsi_prep_defer:
        ev.push({ name: 'prep DEFER', ph: 'i', s: 't', ts, pid: PID, tid: r.pid, args: { device_busy: Number(field(r, 'device_busy')), plugged: Number(field(r, 'plugged')), why: String(field(r, 'why')) } });
        break;
      default:
        break;
    }
  }
  for (const f of inp.failures) {
    ev.push({ name: 'page allocation failure', ph: 'i', s: 'g', ts: us(f.timeNs), pid: PID, tid: f.pid, args: { comm: f.comm, order: f.order, mode: `0x${(f.gfp >>> 0).toString(16)}`, gfp: gfpName(f.gfp), reported: f.reported } });
    if (!comms.has(f.pid)) {
      comms.set(f.pid, f.comm);
      meta.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid: f.pid, args: { name: `${f.comm}-${f.pid}` } });
    }
  }

  // Close what is still open, at the end of the run (never before the last event).
  let end = us(inp.endNs);
  for (const e of ev) if (e.ts > end) end = e.ts;
  for (const [id, o] of openRq) {
    if (o.issued) ev.push({ name: 'issued', ph: 'e', ts: end, pid: PID, tid: 0, cat: 'block', id, args: { open_at_end: true } });
    ev.push({ name: o.name, ph: 'e', ts: end, pid: PID, tid: 0, cat: 'block', id, args: { open_at_end: true } });
  }
  for (const [key, ids] of openBio) {
    // An open bio closes under the name it opened with (sector+sectors), or the validator objects.
    for (const id of ids) ev.push({ name: bioName.get(id) ?? `bio ${key.split(':')[1]}`, ph: 'e', ts: end, pid: PID, tid: 0, cat: 'bio', id, args: { open_at_end: true } });
  }
  for (const [pid, n] of openReclaim) for (let i = 0; i < n; i++) ev.push({ name: 'direct reclaim', ph: 'E', ts: end, pid: PID, tid: pid, args: { open_at_end: true } });

  // Stable sort by time: every track stays in emission order, which is time order.
  const sorted = ev.map((e, i) => [e, i] as const).sort((a, b) => a[0].ts - b[0].ts || a[1] - b[1]).map(([e]) => e);
  return {
    traceEvents: [...meta, ...sorted],
    displayTimeUnit: 'ns',
    otherData: {
      generator: 'reclaimsim',
      note: 'simulated Linux 2.6.25 swap-out path (a model, not a kernel trace); tracepoint names are modern kernels\'',
      run: inp.title,
      trace_records: inp.records.length,
      trace_records_overwritten: inp.overwritten,
    },
  };
}

/** Problems with a trace, for tests: unpaired B/E or b/e, non-numeric counters, time going back on a track. */
export function validateChromeTrace(t: ChromeTrace): string[] {
  const problems: string[] = [];
  const stacks = new Map<string, string[]>();
  const async = new Map<string, string[]>();
  const lastTs = new Map<string, number>();
  for (const e of t.traceEvents) {
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts)) problems.push(`${e.name}: ts ${e.ts}`);
    if (e.ph === 'M') continue;
    const track = e.ph === 'C' ? `C:${e.pid}:${e.name}` : e.ph === 'b' || e.ph === 'e' ? `A:${e.cat}:${e.id}` : `T:${e.pid}:${e.tid}`;
    const prev = lastTs.get(track);
    if (prev !== undefined && e.ts < prev) problems.push(`${track}: ts ${e.ts} after ${prev}`);
    lastTs.set(track, e.ts);
    if (e.ph === 'C') {
      for (const [k, v] of Object.entries(e.args ?? {})) if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`counter ${e.name}.${k} = ${String(v)}`);
    } else if (e.ph === 'B' || e.ph === 'E') {
      const st = stacks.get(track) ?? [];
      if (e.ph === 'B') st.push(e.name);
      else if (st.pop() === undefined) problems.push(`${track}: E without B at ${e.ts}`);
      stacks.set(track, st);
    } else if (e.ph === 'b' || e.ph === 'e') {
      const st = async.get(track) ?? [];
      if (e.ph === 'b') st.push(e.name);
      else {
        const top = st.pop();
        if (top === undefined) problems.push(`${track}: e without b at ${e.ts}`);
        else if (top !== e.name) problems.push(`${track}: e "${e.name}" closes "${top}"`);
      }
      async.set(track, st);
    }
  }
  for (const [k, st] of stacks) if (st.length > 0) problems.push(`${k}: ${st.length} B without E`);
  for (const [k, st] of async) if (st.length > 0) problems.push(`${k}: ${st.length} b without e`);
  return problems;
}
