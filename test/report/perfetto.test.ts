import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromeTrace, validateChromeTrace, type ChromeTrace } from '../../src/report/perfetto.js';
import { runChromeTrace } from '../../src/report/collect.js';
import { TP } from '../../src/kernel/trace.js';
import { observe, smallParams } from './helpers.js';

// A ring small enough to overwrite: the trace starts mid-stream, with ends whose begins are lost.
// It must still span a request's life from insert to completion: requests of up to 128 one-page
// bios take about 250 records each, and the queue holds dozens of them, so 1 MiB (8192 records)
// held only bio completions.
const { result, machine, sampler } = observe(smallParams({ trace_events: ['block:*', 'scsi:*', 'vmscan:*', 'kmem:mm_page_alloc_fail'], trace_buffer_kb: 4096 }));
const trace = runChromeTrace(machine, result, sampler!.series);

test('perfetto: the trace validates: B/E and async b/e pair, counters numeric, ts monotonic per track (short run, 4 MiB ring)', () => {
  assert.ok(machine.k.trace.overwritten > 0, 'the ring wrapped, so pairing must cope with lost begins');
  assert.deepEqual(validateChromeTrace(trace), []);
  // Round-trips through JSON (what the file holds).
  assert.deepEqual(validateChromeTrace(JSON.parse(JSON.stringify(trace)) as ChromeTrace), []);
});

test('perfetto: counters, request and bio slices, instants are present (short run)', () => {
  const ev = trace.traceEvents;
  const counters = new Set(ev.filter((e) => e.ph === 'C').map((e) => e.name));
  for (const n of ['DMA32 free pages', 'nr_writeback', 'kmalloc-128 objects by owner', 'fs_bio_set.bio_pool', 'sda']) assert.ok(counters.has(n), n);
  assert.equal(ev.filter((e) => e.ph === 'C' && e.name === 'nr_writeback').length, sampler!.series.rows.length);
  const rqBegins = ev.filter((e) => e.ph === 'b' && e.cat === 'block' && e.name.startsWith('rq '));
  // The 1 MiB ring keeps only the run's tail, so how many requests it still holds depends on the run.
  assert.ok(rqBegins.length >= 1, `${rqBegins.length} request slices`);
  assert.ok(ev.some((e) => e.ph === 'b' && e.name === 'issued'));
  assert.ok(ev.some((e) => e.ph === 'b' && e.cat === 'bio'));
  assert.equal(ev.filter((e) => e.ph === 'i' && e.name === 'page allocation failure').length, machine.pa.failures.length);
  assert.ok(ev.some((e) => e.ph === 'M' && e.name === 'thread_name' && String(e.args?.['name']).startsWith('kswapd0-')));
});

test('perfetto validator: catches an E without B, an unpaired b and a string counter', () => {
  const bad: ChromeTrace = {
    displayTimeUnit: 'ns',
    otherData: {},
    traceEvents: [
      { name: 'x', ph: 'E', ts: 1, pid: 1, tid: 2 },
      { name: 'rq', ph: 'b', ts: 1, pid: 1, tid: 0, cat: 'block', id: 'rq1' },
      { name: 'c', ph: 'C', ts: 1, pid: 1, tid: 0, args: { v: 'no' } },
      { name: 'c', ph: 'C', ts: 0, pid: 1, tid: 0, args: { v: 1 } },
    ],
  };
  const p = validateChromeTrace(bad);
  assert.equal(p.length, 4, p.join('; '));
});

test('perfetto: an end whose begin was overwritten is dropped, an open begin is closed at the end (synthetic records)', () => {
  const rec = (t: number, id: number, values: (number | string)[]) => ({ timeNs: t, cpu: 0, pid: 5, comm: 'cp', id, values });
  const t = chromeTrace({
    title: 't',
    records: [rec(1000, TP.block_rq_complete, ['sda', 0, 8, 'W', 0, 1]), rec(2000, TP.block_rq_insert, ['sda', 8, 8, 'W', 'cp', 2]), rec(3000, TP.block_rq_issue, ['sda', 8, 8, 'W', 'cp', 2])],
    overwritten: 3,
    series: null,
    failures: [],
    tasks: [],
    endNs: 10_000,
  });
  assert.deepEqual(validateChromeTrace(t), []);
  const slices = t.traceEvents.filter((e) => e.ph === 'b' || e.ph === 'e');
  assert.deepEqual(slices.map((e) => `${e.ph}:${e.name}@${e.ts}`), ['b:rq 8+8@2', 'b:issued@3', 'e:issued@10', 'e:rq 8+8@10']);
});
