/**
 * `reclaimsim validate <scenario>`: checks a scenario file (or bundled name) with any --set
 * overrides; prints "ok: <name>" or one line naming the file, line and field, and exits 1.
 */
import type { Command } from 'commander';
import { addSetOption, loadScenarioArg } from '../scenario-source.js';
import { out } from '../io.js';

export function register(program: Command): void {
  addSetOption(
    program
      .command('validate')
      .description('check a scenario file or bundled scenario; prints "ok: <name>" or the first problem')
      .argument('<scenario>', 'scenario file (path) or bundled scenario name'),
  ).action((arg: string, opts: { set: string[] }) => {
    const s = loadScenarioArg(arg, opts.set);
    out(`ok: ${s.name}`);
  });
}
