/**
 * The metrics sampler: an observer that reads model state at a fixed simulated interval and keeps
 * a bounded time series (for `--metrics`, the Perfetto counters and the HTML report charts).
 *
 * It never changes model state. It runs as one self-rearming engine event ("metrics_sample"); it
 * re-arms only while other events are pending, so it never keeps an otherwise empty queue alive
 * (a deadlocked run still ends with an empty queue at the same instant). The same event also fires
 * at requested snapshot instants (`/proc` snapshots), calling `onSnapshot`.
 *
 * Bounded: when the series exceeds `maxRows`, every other row is dropped and the sampling stride
 * doubles (rows stay evenly spaced in simulated time), so a long run keeps at most `maxRows` rows.
 *
 * The sampler's events count in the engine's event total (RunResult.events) and so in trace_hash;
 * everything the model does is unchanged (samplers only read).
 */
import type { Kernel } from '../kernel/kernel.js';
import type { PageAllocator } from '../mm/page_alloc.js';
import { NR_WRITEBACK, PSWPOUT } from '../mm/page_alloc.js';
import type { kmem_cache } from '../mm/slub.js';
import { GFP_ATOMIC } from '../include/gfp.js';
import type { mempool_t } from '../mm/mempool.js';
import type { VmState } from '../mm/vm_state.js';
import type { request_queue } from '../block/blk-core.js';
import type { Scsi_Host, scsi_device } from '../scsi/scsi.js';

/** The parts of a booted machine the sampler reads (src/scenario/machine.ts Machine satisfies it). */
export interface MetricsView {
  k: Kernel;
  pa: PageAllocator;
  vm: VmState;
  q: request_queue;
  shost: Scsi_Host;
  sdev: scsi_device;
  caches: { bio: kmem_cache; sense: kmem_cache | null };
  pools: { bio: mempool_t };
  workload: { pages_copied: number };
}

/** Column names of a metrics row, in order (zone columns are added per populated zone). */
export const BASE_COLUMNS = [
  'time_ns',
  'nr_free_pages',
  'nr_writeback',
  'pswpout',
  'pages_copied',
  'bio_objs',
  'sense_objs',
  'bio_cache_other_objs',
  'bio_cache_slots',
  'bio_pool_curr_nr',
  'bio_pool_min_nr',
  'bio_pool_waiters',
  'rq_count',
  'rq_in_flight',
  'device_busy',
  'free_list_cmd_in_use',
  'alloc_failures',
  'alloc_failure_reports',
  'prep_defers',
] as const;

export interface MetricsSeries {
  /** Column names: BASE_COLUMNS then free_<zone>, min_<zone>, low_<zone>, high_<zone>, atomic_<zone> per populated zone. */
  columns: string[];
  /** Rows of numbers, in column order, time ascending. */
  rows: number[][];
  /** Requested sampling interval, ns. */
  interval_ns: number;
  /** Current stride (interval multiple between kept rows) after decimation. */
  stride: number;
  /** Times the series was halved. */
  decimations: number;
  /** Populated zone names, in zone order. */
  zones: string[];
  /** Name of the cache the bio handle allocates from (kmalloc-128 when merged). */
  bio_cache: string;
  /** Where SCSI sense buffers live: in the bio's cache (merged), their own cache, or inside scsi_cmnd (2.6.24). */
  sense_cache: 'shared with bio' | 'own cache' | 'embedded in scsi_cmnd';
}

export interface SamplerOptions {
  /** Sampling interval, ns (0: no periodic samples). */
  intervalNs: number;
  /** Simulated instants at which to call onSnapshot (sorted or not; duplicates ignored). */
  snapshotsNs?: readonly number[];
  onSnapshot?: (timeNs: number) => void;
  /** Row bound before decimation (default 20 000). */
  maxRows?: number;
}

export class MetricsSampler {
  readonly series: MetricsSeries;
  private readonly zoneIdx: number[];
  private readonly atomicLine: number[];
  private readonly maxRows: number;
  private readonly snaps: number[];
  private snapNext = 0;
  private tick = 0;
  private nextSampleNs: number;
  private readonly kind: number;
  /** Engine events this sampler added (for callers that want the model's own event count). */
  events = 0;

  constructor(
    private readonly m: MetricsView,
    private readonly opts: SamplerOptions,
  ) {
    const zones = m.pa.zones.filter((z) => z.populated);
    this.zoneIdx = zones.map((z) => z.idx);
    const cols: string[] = [...BASE_COLUMNS];
    for (const z of zones) cols.push(`free_${z.name}`, `min_${z.name}`, `low_${z.name}`, `high_${z.name}`, `atomic_${z.name}`);
    // The GFP_ATOMIC line of each zone, as zone_watermark_ok draws it for an atomic allocation (its
    // second pass, ALLOC_HIGH | ALLOC_HARDER) with the zone's lowmem_reserve for GFP_ATOMIC's first
    // zone: the line that defines a squeeze. Watermarks do not move during a run.
    const classzone = m.pa.zonelist_for(GFP_ATOMIC)[0]!;
    this.atomicLine = zones.map((z) => m.pa.gfp_atomic_line(z, classzone));
    this.series = {
      columns: cols,
      rows: [],
      interval_ns: opts.intervalNs,
      stride: 1,
      decimations: 0,
      zones: zones.map((z) => z.name),
      bio_cache: m.caches.bio.s.name,
      sense_cache: m.caches.sense === null ? 'embedded in scsi_cmnd' : m.caches.sense.s === m.caches.bio.s ? 'shared with bio' : 'own cache',
    };
    this.maxRows = Math.max(16, opts.maxRows ?? 20_000);
    this.snaps = [...new Set(opts.snapshotsNs ?? [])].filter((t) => t >= m.k.now).sort((a, b) => a - b);
    this.nextSampleNs = opts.intervalNs > 0 ? m.k.now : Infinity;
    this.kind = m.k.sim.register('metrics_sample', () => this.fire(), { observer: true });
    this.arm();
  }

  private arm(): void {
    const t = Math.min(this.nextSampleNs, this.snapNext < this.snaps.length ? this.snaps[this.snapNext]! : Infinity);
    if (t === Infinity) return;
    this.m.k.sim.at(Math.max(t, this.m.k.now), this.kind, 0);
  }

  private fire(): void {
    const now = this.m.k.now;
    this.events++;
    while (this.snapNext < this.snaps.length && this.snaps[this.snapNext]! <= now) {
      this.snapNext++;
      this.opts.onSnapshot?.(now);
    }
    if (now >= this.nextSampleNs) {
      if (this.tick % this.series.stride === 0) this.push(this.row());
      this.tick++;
      this.nextSampleNs = now + this.opts.intervalNs;
    }
    // Re-arm only while the model has work pending: an empty queue must stay able to end the run.
    if (this.m.k.sim.pending > 0) this.arm();
  }

  /** Takes a row now (e.g. at the verdict) unless the last row has this timestamp. */
  sampleNow(): void {
    const last = this.series.rows[this.series.rows.length - 1];
    if (last !== undefined && last[0] === this.m.k.now) return;
    this.push(this.row());
  }

  private push(r: number[]): void {
    const s = this.series;
    s.rows.push(r);
    if (s.rows.length > this.maxRows) {
      s.rows = s.rows.filter((_, i) => i % 2 === 0);
      s.stride *= 2;
      s.decimations++;
      // Row i was tick i*stride/2, so the kept rows are exactly the ticks that are multiples of the new stride.
    }
  }

  private row(): number[] {
    const m = this.m;
    const pa = m.pa;
    const bioS = m.caches.bio.s;
    const sense = m.caches.sense;
    const bioObjs = m.caches.bio.inuse;
    const senseObjs = sense === null ? 0 : sense.inuse;
    const senseInBio = sense !== null && sense.s === bioS ? senseObjs : 0;
    const r = [
      m.k.now,
      pa.nr_free_pages,
      pa.vm_stat[NR_WRITEBACK]!,
      m.pa.vm_events[PSWPOUT]!,
      m.workload.pages_copied,
      bioObjs,
      senseObjs,
      bioS.objects_in_use - bioObjs - senseInBio,
      bioS.nr_slabs * bioS.objects,
      m.pools.bio.curr_nr,
      m.pools.bio.min_nr,
      m.pools.bio.wait.waiters,
      m.q.rq.count[0]! + m.q.rq.count[1]!,
      m.q.in_flight,
      m.sdev.device_busy,
      1 - m.shost.free_list.length,
      pa.alloc_failures,
      pa.alloc_failure_reports,
      m.sdev.stat.defers,
    ];
    this.zoneIdx.forEach((zi, i) => {
      const z = pa.zones[zi]!;
      r.push(z.vm_stat[0]!, z.pages_min, z.pages_low, z.pages_high, this.atomicLine[i]!);
    });
    return r;
  }
}

/** Column index by name (throws on an unknown column: a programming error). */
export function column(s: MetricsSeries, name: string): number {
  const i = s.columns.indexOf(name);
  if (i < 0) throw new Error(`metrics: no column ${name}`);
  return i;
}
