/**
 * `reclaimsim scenarios`: lists the bundled scenarios with their one-line descriptions.
 */
import type { Command } from 'commander';
import { ScenarioError } from '../../scenario/errors.js';
import { listBundledScenarios, loadScenarioArg } from '../scenario-source.js';
import { out } from '../io.js';

export function register(program: Command): void {
  program
    .command('scenarios')
    .description('list the bundled scenarios with their descriptions')
    .action(() => {
      const names = listBundledScenarios();
      const width = Math.max(0, ...names.map((n) => n.length));
      for (const name of names) {
        let desc: string;
        try {
          desc = loadScenarioArg(name).description;
        } catch (e) {
          // A broken bundled scenario is a packaging bug; list it with the problem instead of failing the listing.
          desc = `(invalid: ${e instanceof ScenarioError ? e.message : String(e)})`;
        }
        out(`${name.padEnd(width)}  ${desc}`);
      }
    });
}
