/**
 * Tracepoints: the model's instrumentation points, named as modern kernels name them
 * (kmem:kmalloc, block:block_bio_queue, ...), recorded into a bounded ring buffer.
 *
 * A tracepoint is cheap when disabled: call sites test `k.trace.on[TP.x]` (a typed-array lookup)
 * before building arguments. Enabled events are stored as records in a ring of fixed capacity (the
 * model of ftrace's buffer_size_kb); when full, the oldest records are overwritten and counted.
 *
 * Field values are numbers or strings; each tracepoint declares its field names, which the
 * formatters (src/report) use to print ftrace text and Perfetto JSON.
 */
export interface TracepointDef {
  readonly system: string;
  readonly name: string;
  readonly fields: readonly string[];
}

/** Every tracepoint the model emits. Add new ones at the end; ids are positions. */
export const TRACEPOINTS = [
  { system: 'kmem', name: 'kmalloc', fields: ['call_site', 'ptr', 'bytes_req', 'bytes_alloc', 'gfp_flags'] },
  { system: 'kmem', name: 'kmem_cache_alloc', fields: ['call_site', 'ptr', 'bytes_req', 'bytes_alloc', 'gfp_flags', 'name'] },
  { system: 'kmem', name: 'kfree', fields: ['call_site', 'ptr'] },
  { system: 'kmem', name: 'kmem_cache_free', fields: ['call_site', 'ptr', 'name'] },
  { system: 'kmem', name: 'mm_page_alloc', fields: ['pfn', 'order', 'gfp_flags', 'migratetype'] },
  { system: 'kmem', name: 'mm_page_free', fields: ['pfn', 'order'] },
  { system: 'kmem', name: 'mm_page_alloc_fail', fields: ['order', 'gfp_flags', 'comm'] },
  { system: 'block', name: 'block_bio_queue', fields: ['dev', 'sector', 'nr_sector', 'rwbs', 'comm'] },
  { system: 'block', name: 'block_bio_backmerge', fields: ['dev', 'sector', 'nr_sector', 'rwbs', 'comm'] },
  { system: 'block', name: 'block_bio_frontmerge', fields: ['dev', 'sector', 'nr_sector', 'rwbs', 'comm'] },
  { system: 'block', name: 'block_getrq', fields: ['dev', 'sector', 'nr_sector', 'rwbs', 'comm'] },
  { system: 'block', name: 'block_rq_insert', fields: ['dev', 'sector', 'nr_sector', 'rwbs', 'comm', 'rq'] },
  { system: 'block', name: 'block_rq_issue', fields: ['dev', 'sector', 'nr_sector', 'rwbs', 'comm', 'rq'] },
  { system: 'block', name: 'block_rq_complete', fields: ['dev', 'sector', 'nr_sector', 'rwbs', 'error', 'rq'] },
  { system: 'block', name: 'block_rq_requeue', fields: ['dev', 'sector', 'nr_sector', 'rwbs', 'rq'] },
  { system: 'block', name: 'block_plug', fields: ['comm'] },
  { system: 'block', name: 'block_unplug', fields: ['nr_rq', 'comm', 'why'] },
  { system: 'block', name: 'block_bio_complete', fields: ['dev', 'sector', 'nr_sector', 'rwbs', 'error'] },
  { system: 'scsi', name: 'scsi_dispatch_cmd_start', fields: ['host_no', 'channel', 'id', 'lun', 'data_sglen', 'cmnd', 'tag', 'free_list'] },
  { system: 'scsi', name: 'scsi_dispatch_cmd_done', fields: ['host_no', 'channel', 'id', 'lun', 'result', 'tag'] },
  { system: 'scsi', name: 'scsi_prep_defer', fields: ['host_no', 'device_busy', 'plugged', 'why'] },
  { system: 'vmscan', name: 'mm_vmscan_direct_reclaim_begin', fields: ['order', 'gfp_flags'] },
  { system: 'vmscan', name: 'mm_vmscan_direct_reclaim_end', fields: ['nr_reclaimed'] },
  { system: 'vmscan', name: 'mm_vmscan_kswapd_wake', fields: ['nid', 'order'] },
  { system: 'vmscan', name: 'mm_vmscan_kswapd_sleep', fields: ['nid'] },
  { system: 'vmscan', name: 'mm_vmscan_wakeup_kswapd', fields: ['nid', 'zid', 'order'] },
  { system: 'vmscan', name: 'mm_vmscan_writepage', fields: ['pfn', 'reclaim_flags'] },
  { system: 'vmscan', name: 'mm_vmscan_lru_shrink_inactive', fields: ['nid', 'nr_scanned', 'nr_reclaimed', 'priority'] },
  { system: 'writeback', name: 'writeback_congestion_wait', fields: ['usec_timeout', 'usec_delayed'] },
  { system: 'sched', name: 'sched_process_hang', fields: ['comm', 'pid'] },
] as const satisfies readonly TracepointDef[];

type TpName = (typeof TRACEPOINTS)[number]['name'];
/** Tracepoint ids by name: TP.kmem_cache_alloc, TP.block_rq_issue, ... */
export const TP = Object.fromEntries(TRACEPOINTS.map((t, i) => [t.name, i])) as { readonly [K in TpName]: number };

export type TraceValue = number | string;

export interface TraceRecord {
  timeNs: number;
  cpu: number;
  pid: number;
  comm: string;
  id: number;
  values: TraceValue[];
}

/** Matches `kmem:*`, `block:block_rq_issue`, `*:*`, `kmem` (whole system) against a tracepoint. */
export function tracepointMatches(filter: string, tp: TracepointDef): boolean {
  const [sys, name = '*'] = filter.includes(':') ? filter.split(':', 2) : [filter, '*'];
  const glob = (pat: string, s: string): boolean => new RegExp(`^${pat.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(s);
  return glob(sys!, tp.system) && glob(name, tp.name);
}

export class Tracer {
  /** on[id] is 1 when tracepoint `id` is enabled. */
  readonly on = new Uint8Array(TRACEPOINTS.length);
  private ring: (TraceRecord | undefined)[] = [];
  private head = 0;
  private count = 0;
  capacity = 0;
  /** Records overwritten because the ring was full. */
  overwritten = 0;
  /** Records emitted in total (including overwritten ones). */
  total = 0;
  /** Optional streaming consumer (for hashing or writing as the run goes). */
  sink: ((r: TraceRecord) => void) | null = null;

  /** Enables tracepoints matching any filter (e.g. ["kmem:*", "block:*"]) with a ring of `capacity` records. */
  enable(filters: readonly string[], capacity: number): void {
    this.capacity = capacity;
    this.ring = new Array(capacity);
    TRACEPOINTS.forEach((tp, i) => {
      this.on[i] = filters.some((f) => tracepointMatches(f, tp)) ? 1 : 0;
    });
  }

  emit(timeNs: number, cpu: number, pid: number, comm: string, id: number, values: TraceValue[]): void {
    const r: TraceRecord = { timeNs, cpu, pid, comm, id, values };
    this.total++;
    if (this.sink !== null) this.sink(r);
    if (this.capacity === 0) return;
    if (this.count === this.capacity) {
      this.ring[this.head] = r;
      this.head = (this.head + 1) % this.capacity;
      this.overwritten++;
    } else {
      this.ring[(this.head + this.count) % this.capacity] = r;
      this.count++;
    }
  }

  /** Records currently held, oldest first. */
  records(): TraceRecord[] {
    const out: TraceRecord[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.ring[(this.head + i) % this.capacity]!);
    return out;
  }
}
