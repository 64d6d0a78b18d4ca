import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recycle, spareCount, take } from '../../src/sim/recycle.js';
import { runOnce } from '../../src/explore/execute.js';
import { runScenario } from '../../src/scenario/run.js';
import { buildJobs } from '../../src/explore/spec.js';
import { smallSpec } from '../explore/helpers.js';

test('recycle: a given-back array comes back filled as new, only for its own type and length', () => {
  const a = take(Int32Array, 1000, -1);
  assert.ok(a.every((v) => v === -1));
  a.fill(7);
  recycle(a);
  assert.equal(take(Uint32Array, 1000).length, 1000, 'another type gets its own array');
  const b = take(Int32Array, 1000);
  assert.equal(b, a, 'the same buffer is handed out again');
  assert.ok(b.every((v) => v === 0), 'filled with the requested value, not the old contents');
  recycle(b);
  assert.notEqual(take(Int32Array, 999), b, 'another length gets a fresh array');
  const c = take(Int32Array, 1000, 3);
  assert.equal(c, b);
  assert.ok(c.every((v) => v === 3));
  // A view into a larger buffer is not kept: handing it out would expose the rest of the buffer.
  const before = spareCount();
  recycle(new Int32Array(new ArrayBuffer(8000), 0, 1000), new Int32Array(0));
  assert.equal(spareCount(), before);
  // Giving the same array back twice must not hand it to two takers.
  recycle(c, c);
  const d = take(Int32Array, 1000);
  const e = take(Int32Array, 1000);
  assert.notEqual(d, e);
  // A machine gives back six Int32Arrays of one length; all six are kept for the next one.
  const six = Array.from({ length: 6 }, () => new Int32Array(1234));
  const held = spareCount();
  recycle(...six);
  assert.equal(spareCount(), held + 6);
  const again = Array.from({ length: 6 }, () => take(Int32Array, 1234));
  assert.deepEqual(new Set(again), new Set(six));
});

test('recycle: runs in one thread reusing the previous machine\'s arrays give the same results as fresh runs', () => {
  const jobs = buildJobs(smallSpec({ seeds: { from: 1, to: 2 } }));
  const fresh = jobs.map((j) => runScenario(j.params).result);
  const reused = jobs.map((j) => runOnce(j.params));
  assert.ok(spareCount() > 0, 'runOnce gave its machine\'s arrays back');
  assert.deepEqual(reused, fresh);
  // And once more, now that every array comes from the previous run.
  assert.deepEqual(jobs.map((j) => runOnce(j.params)), fresh);
});
