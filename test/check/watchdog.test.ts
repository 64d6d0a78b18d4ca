/**
 * The progress watchdog's timing (src/check/watchdog.ts): a window counts from the exact time of
 * the last progress, and windows under 4 s are checked four times a window, so a short window
 * means what it says instead of acting like a second or two.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../src/scenario/run.js';
import { lastProgressNs } from '../../src/scenario/machine.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { paramsFromScenario } from '../../src/scenario/params.js';

/** The fix on the flagship: reclaim's first pass (about 0.6 s from 3.02 s) copies nothing and writes nothing yet. */
function stallAfter(window: string) {
  const s = resolveScenario({ name: 'flagship', sets: ['profile=2.6.25', `checks.watchdog_window=${window}`, 'checks.time_limit=8s'] });
  const { result: r, machine: m } = runScenario(paramsFromScenario(s), { check: 'cheap' });
  return { r, last: lastProgressNs(m) };
}

test('watchdog: a 200 ms window gives its verdict 200-250 ms after the last progress, not at the next whole second', () => {
  const { r, last } = stallAfter('200ms');
  assert.equal(r.verdict, 'LIVELOCK', r.reason);
  const late = r.sim_time_ns - last;
  assert.ok(late >= 200e6 && late <= 250e6, `verdict ${late} ns after the last progress`);
  assert.ok(last > 3e9 && last < 3.1e9, `the stall is reclaim's first pass (last progress at ${last} ns)`);
});

test('watchdog: a 400 ms window catches the 0.6 s first pass within 100 ms of its window; a 1.5 s window does not, and the run goes on', () => {
  const { r, last } = stallAfter('1500ms');
  // The first pass ends well inside 1.5 s, so the fix keeps going: no verdict from that stall.
  assert.equal(r.verdict, 'LIMIT', r.reason);
  const { r: r2, last: last2 } = stallAfter('400ms');
  assert.equal(r2.verdict, 'LIVELOCK', r2.reason);
  const late = r2.sim_time_ns - last2;
  assert.ok(late >= 400e6 && late <= 500e6, `verdict ${late} ns after the last progress`);
  assert.ok(last > last2, 'the run with the longer window made progress after the short window\'s stall');
});

test('watchdog: with a 3 s window the finish is seen within 750 ms, and the timeline names that interval', () => {
  const s = resolveScenario({ name: 'flagship', sets: ['profile=2.6.25', 'checks.watchdog_window=3s'] });
  const { result: r } = runScenario(paramsFromScenario(s), { check: 'cheap' });
  assert.equal(r.verdict, 'COMPLETED', r.reason);
  const late = r.sim_time_ns - r.time_to_finish_ns!;
  assert.ok(late > 0 && late <= 750e6, `finish seen ${late} ns later`);
  assert.equal(r.timeline.at(-1)!.text, "verdict COMPLETED (the watchdog's check every 750ms sees the finish)");
});
