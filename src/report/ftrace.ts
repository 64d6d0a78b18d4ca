/**
 * The trace ring as text in `trace-cmd report` layout:
 *
 *               cp-12    [001]     3.141592: block_rq_issue:       8,0 W 2048 + 1024 [cp]
 *
 * The tracepoints are modern kernels' (kmem:kmalloc, block:block_rq_issue, ...); 2.6.25 had none of
 * them, so the header says this is a modern-format trace of a 2.6.25 model. Field formats follow
 * the modern TP_printk formats where they matter (block events as blktrace prints them, gfp flags
 * by name); other events print `field=value` pairs.
 */
import { TRACEPOINTS, type TraceRecord, type TraceValue } from '../kernel/trace.js';
import {
  __GFP_COMP,
  __GFP_DMA,
  __GFP_FS,
  __GFP_HARDWALL,
  __GFP_HIGH,
  __GFP_HIGHMEM,
  __GFP_IO,
  __GFP_MOVABLE,
  __GFP_NOFAIL,
  __GFP_NOMEMALLOC,
  __GFP_NORETRY,
  __GFP_NOWARN,
  __GFP_RECLAIMABLE,
  __GFP_REPEAT,
  __GFP_WAIT,
  __GFP_ZERO,
  GFP_ATOMIC,
  GFP_HIGHUSER,
  GFP_HIGHUSER_MOVABLE,
  GFP_KERNEL,
  GFP_NOFS,
  GFP_NOIO,
  GFP_USER,
} from '../include/gfp.js';
import { formatSeconds } from '../sim/time.js';

const GFP_NAMES: [number, string][] = [
  [GFP_HIGHUSER_MOVABLE, 'GFP_HIGHUSER_MOVABLE'],
  [GFP_HIGHUSER, 'GFP_HIGHUSER'],
  [GFP_USER, 'GFP_USER'],
  [GFP_KERNEL, 'GFP_KERNEL'],
  [GFP_NOFS, 'GFP_NOFS'],
  [GFP_NOIO, 'GFP_NOIO'],
  [GFP_ATOMIC, 'GFP_ATOMIC'],
];
const GFP_BITS: [number, string][] = [
  [__GFP_DMA, '__GFP_DMA'],
  [__GFP_HIGHMEM, '__GFP_HIGHMEM'],
  [__GFP_WAIT, '__GFP_WAIT'],
  [__GFP_HIGH, '__GFP_HIGH'],
  [__GFP_IO, '__GFP_IO'],
  [__GFP_FS, '__GFP_FS'],
  [__GFP_NOWARN, '__GFP_NOWARN'],
  [__GFP_REPEAT, '__GFP_REPEAT'],
  [__GFP_NOFAIL, '__GFP_NOFAIL'],
  [__GFP_NORETRY, '__GFP_NORETRY'],
  [__GFP_COMP, '__GFP_COMP'],
  [__GFP_ZERO, '__GFP_ZERO'],
  [__GFP_NOMEMALLOC, '__GFP_NOMEMALLOC'],
  [__GFP_HARDWALL, '__GFP_HARDWALL'],
  [__GFP_RECLAIMABLE, '__GFP_RECLAIMABLE'],
  [__GFP_MOVABLE, '__GFP_MOVABLE'],
];

/** show_gfp_flags: a composite name first (the largest contained), then the remaining bits; "0" when empty. */
export function gfpName(gfp: number): string {
  let rest = gfp >>> 0;
  const parts: string[] = [];
  for (const [mask, name] of GFP_NAMES) {
    if (mask !== 0 && (rest & mask) === mask) {
      parts.push(name);
      rest &= ~mask;
      break;
    }
  }
  for (const [bit, name] of GFP_BITS) {
    if (rest & bit) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  if (rest) parts.push(`0x${rest.toString(16)}`);
  return parts.length === 0 ? '0' : parts.join('|');
}

/** Major,minor of the model's disk names. */
function devno(dev: TraceValue): string {
  return dev === 'sda' ? '8,0' : String(dev);
}

/** The event's fields as its TP_printk would print them. */
export function formatFields(r: TraceRecord): string {
  const tp = TRACEPOINTS[r.id]!;
  const v = r.values;
  const f = (name: string): TraceValue => v[(tp.fields as readonly string[]).indexOf(name)]!;
  if (tp.system === 'block') {
    switch (tp.name) {
      case 'block_plug':
        return `[${f('comm')}]`;
      case 'block_unplug':
        return `[${f('comm')}] ${f('nr_rq')} (${f('why')})`;
      case 'block_rq_complete':
        return `${devno(f('dev'))} ${f('rwbs')} () ${f('sector')} + ${f('nr_sector')} [${f('error')}] rq=${f('rq')}`;
      case 'block_rq_requeue':
        return `${devno(f('dev'))} ${f('rwbs')} () ${f('sector')} + ${f('nr_sector')} [0] rq=${f('rq')}`;
      case 'block_rq_insert':
      case 'block_rq_issue':
        return `${devno(f('dev'))} ${f('rwbs')} ${Number(f('nr_sector')) * 512} () ${f('sector')} + ${f('nr_sector')} [${f('comm')}] rq=${f('rq')}`;
      case 'block_bio_complete':
        return `${devno(f('dev'))} ${f('rwbs')} ${f('sector')} + ${f('nr_sector')} [${f('error')}]`;
      default:
        return `${devno(f('dev'))} ${f('rwbs')} ${f('sector')} + ${f('nr_sector')} [${f('comm')}]`;
    }
  }
  return tp.fields
    .map((name, i) => {
      const x = v[i];
      if (name === 'gfp_flags') return `${name}=${gfpName(Number(x))}`;
      if (name === 'call_site' || name === 'ptr') return `${name}=${typeof x === 'number' ? `0x${x.toString(16)}` : String(x)}`;
      return `${name}=${x === undefined ? '' : String(x)}`;
    })
    .join(' ');
}

/** One line: comm-pid [cpu] seconds: event: fields. */
export function formatTraceLine(r: TraceRecord): string {
  const tp = TRACEPOINTS[r.id]!;
  const comm = r.pid === 0 ? '<idle>' : r.comm;
  return `${comm.padStart(16)}-${String(r.pid).padEnd(5)} [${String(r.cpu).padStart(3, '0')}] ${formatSeconds(r.timeNs).padStart(12)}: ${`${tp.name}:`.padEnd(21)} ${formatFields(r)}`;
}

export interface FtraceMeta {
  cpus: number;
  /** Records overwritten in the ring (lost before the first kept record). */
  overwritten: number;
  /** Enabled filters, e.g. ["block:*", "scsi:*"]. */
  events: readonly string[];
  buffer_kb: number;
  /** What was traced: scenario, kernel profile and variants, seed. */
  title: string;
}

/** The whole ring, oldest first, with the header. */
export function formatFtrace(records: readonly TraceRecord[], meta: FtraceMeta): string {
  const out = [
    `# reclaimsim: modern-format trace (trace-cmd report layout, tracepoints as in Linux 4.x+) of a SIMULATED Linux 2.6.25; 2.6.25 itself had none of these tracepoints`,
    `# run: ${meta.title}`,
    `# events: ${meta.events.join(',')}  buffer_size_kb: ${meta.buffer_kb}  records: ${records.length}  overwritten: ${meta.overwritten}`,
    `cpus=${meta.cpus}`,
  ];
  if (meta.overwritten > 0) out.push(`CPU:all [LOST ${meta.overwritten} EVENTS]`);
  for (const r of records) out.push(formatTraceLine(r));
  return out.join('\n') + '\n';
}
