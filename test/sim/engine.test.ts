import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sim } from '../../src/sim/engine.js';
import { SimulatorError } from '../../src/sim/assert.js';

test('engine: events run in (time, seq) order', () => {
  const sim = new Sim(4);
  const seen: number[] = [];
  const k = sim.register('rec', (a) => seen.push(a));
  sim.at(30, k, 3);
  sim.at(10, k, 1);
  sim.at(30, k, 4);
  sim.at(20, k, 2);
  sim.at(10, k, 0);
  sim.run();
  assert.deepEqual(seen, [1, 0, 2, 3, 4]);
  assert.equal(sim.now, 30);
});

test('engine: scheduling in the past is a simulator assertion with time and event', () => {
  const sim = new Sim();
  const k = sim.register('bad', () => sim.at(sim.now - 1, k, 0));
  sim.at(5, k, 0);
  assert.throws(() => sim.run(), (e: unknown) => e instanceof SimulatorError && e.timeNs === 5 && e.event === 1);
});
