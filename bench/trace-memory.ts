/**
 * Trace memory benchmark (npm run build && node dist/bench/trace-memory.js [--quick] [--json]):
 * a long run with every tracepoint enabled ("*:*") and the metrics sampler attached, sampling the
 * host heap (after a full GC) every few simulated seconds. The trace ring (outputs.trace_buffer_kb)
 * and the decimated metrics series are bounded, so the heap should stay flat while the number of
 * trace records emitted grows without bound. The same run without tracing is the baseline.
 * Wall-clock and host-memory use is allowed here (bench/ is not model code).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { paramsFromScenario } from '../src/scenario/params.js';
import { resolveScenario } from '../src/scenario/load.js';
import { runScenario } from '../src/scenario/run.js';
import { MetricsSampler } from '../src/check/metrics.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const json = args.includes('--json');
const copies = quick ? 4 : 12;
const everyS = quick ? 5 : 10;

interface Point {
  sim_s: number;
  heap_mib: number;
  records_emitted: number;
  records_held: number;
}

function measure(trace: boolean): { points: Point[]; verdict: string; sim_s: number; wall_s: number; ring_capacity: number } {
  const p = {
    ...paramsFromScenario(resolveScenario({ name: 'flagship', sets: [`workload.copies=${copies}`, 'swap.size=16GiB', 'checks.time_limit=3600s'] })),
    trace_events: trace ? ['*:*'] : [],
    trace_buffer_kb: 4096,
  };
  const points: Point[] = [];
  const t0 = process.hrtime.bigint();
  let ringCap = 0;
  const { result } = runScenario(p, {
    onBoot: (m) => {
      new MetricsSampler(m, { intervalNs: p.metrics_interval_ns });
      ringCap = m.k.trace.capacity;
      const kind = m.k.sim.register('bench_heap', () => {
        gc();
        points.push({ sim_s: m.k.now / 1e9, heap_mib: process.memoryUsage().heapUsed / 2 ** 20, records_emitted: m.k.trace.total, records_held: m.k.trace.records().length });
        if (m.k.sim.pending > 0) m.k.sim.after(everyS * 1e9, kind, 0);
      });
      m.k.sim.after(everyS * 1e9, kind, 0);
    },
  });
  return { points, verdict: result.verdict, sim_s: result.sim_time_ns / 1e9, wall_s: Number(process.hrtime.bigint() - t0) / 1e9, ring_capacity: ringCap };
}

const base = measure(false);
const traced = measure(true);
if (json) {
  process.stdout.write(`${JSON.stringify({ copies, base, traced }, null, 2)}\n`);
} else {
  const out = (s: string): void => void process.stdout.write(`${s}\n`);
  out(`flagship with ${copies} copies, all tracepoints (*:*), trace_buffer_kb 4096 (ring of ${traced.ring_capacity} records), metrics every 100 ms`);
  out(`traced run: ${traced.verdict} after ${traced.sim_s.toFixed(1)} s simulated, ${traced.wall_s.toFixed(1)} s wall; baseline (no tracing): ${base.wall_s.toFixed(1)} s wall`);
  out('| simulated s | heap MiB, traced | heap MiB, no trace | trace records emitted | records held |');
  out('| ---: | ---: | ---: | ---: | ---: |');
  traced.points.forEach((pt, i) => {
    const b = base.points[i];
    out(`| ${pt.sim_s.toFixed(0)} | ${pt.heap_mib.toFixed(1)} | ${b === undefined ? '-' : b.heap_mib.toFixed(1)} | ${pt.records_emitted} | ${pt.records_held} |`);
  });
}
