/**
 * `reclaimsim schema`: prints the JSON Schema of scenario files (for editors:
 * `reclaimsim schema > scenario.schema.json` and a `# yaml-language-server: $schema=...` line).
 */
import type { Command } from 'commander';
import { scenarioJsonSchema } from '../../scenario/schema.js';
import { out } from '../io.js';

export function register(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of scenario files (for editor completion and checking)')
    .action(() => {
      out(JSON.stringify(scenarioJsonSchema(), null, 2));
    });
}
