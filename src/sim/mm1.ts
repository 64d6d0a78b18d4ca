/**
 * An M/M/1 queue written on the engine: the bundled demo and a benchmark workload.
 *
 * Customers arrive as a Poisson process (rate lambda), one server serves them first come first
 * served with exponential service times (rate mu). The mean time in queue (excluding service)
 * has the closed form Wq = rho / (mu - lambda), rho = lambda / mu.
 */
import { Sim } from './engine.js';
import { Prng } from './prng.js';

export interface Mm1Options {
  seed: number;
  /** Mean inter-arrival time, ns. */
  meanArrivalNs: number;
  /** Mean service time, ns. */
  meanServiceNs: number;
  /** Customers to serve. */
  customers: number;
}

export interface Mm1Result {
  served: number;
  meanWaitNs: number;
  /** Closed-form mean wait in queue, ns. */
  theoryWaitNs: number;
  simTimeNs: number;
  events: number;
}

export function runMm1(o: Mm1Options): Mm1Result {
  const sim = new Sim(1024);
  const arrivals = Prng.seeded(o.seed).derive('arrivals');
  const service = Prng.seeded(o.seed).derive('service');
  // Waiting line as a ring of arrival times (typed array, no per-customer objects).
  let cap = 1024;
  let ring = new Float64Array(cap);
  let head = 0;
  let len = 0;
  let busy = false;
  let arrived = 0;
  let served = 0;
  let waitSum = 0;
  const push = (t: number): void => {
    if (len === cap) {
      const n = new Float64Array(cap * 2);
      for (let i = 0; i < len; i++) n[i] = ring[(head + i) % cap]!;
      ring = n;
      head = 0;
      cap *= 2;
    }
    ring[(head + len) % cap] = t;
    len++;
  };
  let DEPART = -1;
  const startService = (arrivalNs: number): void => {
    busy = true;
    waitSum += sim.now - arrivalNs;
    sim.after(service.exponential(o.meanServiceNs), DEPART, 0);
  };
  const ARRIVE = sim.register('arrive', () => {
    arrived++;
    if (busy) push(sim.now);
    else startService(sim.now);
    if (arrived < o.customers) sim.after(arrivals.exponential(o.meanArrivalNs), ARRIVE, 0);
  });
  DEPART = sim.register('depart', () => {
    served++;
    busy = false;
    if (len > 0) {
      const t = ring[head]!;
      head = (head + 1) % cap;
      len--;
      startService(t);
    }
  });
  sim.after(arrivals.exponential(o.meanArrivalNs), ARRIVE, 0);
  sim.run();
  const lambda = 1 / o.meanArrivalNs;
  const mu = 1 / o.meanServiceNs;
  return {
    served,
    meanWaitNs: waitSum / served,
    theoryWaitNs: lambda / mu / (mu - lambda),
    simTimeNs: sim.now,
    events: sim.events,
  };
}
