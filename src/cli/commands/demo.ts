/**
 * `reclaimsim demo`: the bundled engine demo, an M/M/1 queue against its closed form.
 */
import type { Command } from 'commander';
import { runMm1 } from '../../sim/mm1.js';
import { parseIntFlag } from '../args.js';
import { out } from '../io.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description('run the engine demo: an M/M/1 queue checked against its closed-form mean wait')
    .option('--seed <n>', 'PRNG seed', parseIntFlag('--seed', 0, Number.MAX_SAFE_INTEGER), 1)
    .option('--customers <n>', 'customers to serve', parseIntFlag('--customers', 1, 100_000_000), 200_000)
    .action((opts: { seed: number; customers: number }) => {
      const r = runMm1({ seed: opts.seed, meanArrivalNs: 1_000_000, meanServiceNs: 800_000, customers: opts.customers });
      out(`M/M/1 demo: seed ${opts.seed}, ${r.served} customers, rho = 0.8`);
      out(`  mean wait in queue: ${(r.meanWaitNs / 1e6).toFixed(3)} ms simulated (closed form ${(r.theoryWaitNs / 1e6).toFixed(3)} ms)`);
      out(`  ${r.events} events, ${(r.simTimeNs / 1e9).toFixed(1)} s simulated`);
    });
}
