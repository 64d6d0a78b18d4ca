import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runMm1 } from '../../src/sim/mm1.js';

test('mm1: mean wait in queue agrees with rho / (mu - lambda) (rho = 0.8, 10 x 100000 customers)', () => {
  // Tolerance. At rho = 0.8 the waits of successive customers are strongly correlated, so the
  // error of a sample mean is far larger than sd/sqrt(n). Whitt's asymptotic variance for the
  // M/M/1 number in system is 2 rho (1 + rho) / (1 - rho)^4 = 1800 (time in units of 1/mu); over
  // 100000 customers (T = 125000 service times) the mean number, and by Little's law the mean wait,
  // has a relative standard error of sqrt(1800 / 125000) / 4 = 3.0%. We run 10 independent
  // replications (seeds 1..10; replications are the batch means), so the grand mean has a relative
  // standard error of about 3.0% / sqrt(10) = 0.95%; the 4% tolerance is about 4 standard errors.
  // The replications also estimate that standard error, which must be near the theory (< 2%).
  const o = { meanArrivalNs: 1_000_000, meanServiceNs: 800_000, customers: 100_000 };
  const ratios: number[] = [];
  let theory = 0;
  for (let seed = 1; seed <= 10; seed++) {
    const r = runMm1({ ...o, seed });
    assert.equal(r.served, o.customers);
    assert.equal(r.events, 2 * o.customers, 'one arrival and one departure per customer');
    theory = r.theoryWaitNs;
    ratios.push(r.meanWaitNs / r.theoryWaitNs);
  }
  assert.ok(Math.abs(theory - 3_200_000) < 1e-3, 'Wq = 0.8 / (1/0.8ms - 1/1ms) = 3.2 ms');
  const n = ratios.length;
  const mean = ratios.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(ratios.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const se = sd / Math.sqrt(n);
  assert.ok(Math.abs(mean - 1) < 0.04, `grand mean / theory = ${mean}`);
  assert.ok(se < 0.02, `replication standard error ${se} is far above the predicted 0.0095`);
  for (const x of ratios) assert.ok(Math.abs(x - 1) < 0.12, `replication ratio ${x} is beyond 4 sd (3% each)`);
});

test('mm1: the same seed gives the same result; another seed does not', () => {
  const o = { meanArrivalNs: 1_000_000, meanServiceNs: 800_000, customers: 20_000 };
  assert.deepEqual(runMm1({ ...o, seed: 5 }), runMm1({ ...o, seed: 5 }));
  assert.notDeepEqual(runMm1({ ...o, seed: 5 }), runMm1({ ...o, seed: 6 }));
});
