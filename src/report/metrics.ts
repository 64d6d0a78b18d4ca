/**
 * The metrics time series (src/check/metrics.ts) as CSV (one header line, one row per sample,
 * time in ns) or JSON ({ columns, rows, interval_ns, stride, ... }).
 */
import type { MetricsSeries } from '../check/metrics.js';

export function metricsCsv(s: MetricsSeries): string {
  const lines = [s.columns.join(',')];
  for (const r of s.rows) lines.push(r.join(','));
  return lines.join('\n') + '\n';
}

export function metricsJson(s: MetricsSeries, run: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...run, ...s }) + '\n';
}
