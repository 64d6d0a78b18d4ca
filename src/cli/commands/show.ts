/**
 * `reclaimsim show <scenario>`: prints a scenario. As written by default; with --resolved, every
 * field with defaults and --set overrides applied, as a scenario file that resolves to the same
 * scenario; with --json, the resolved object the model receives (integer values, unit-suffixed names).
 */
import type { Command } from 'commander';
import { scenarioToYaml } from '../../scenario/load.js';
import { addSetOption, loadScenarioArg, readScenarioSource } from '../scenario-source.js';
import { out } from '../io.js';

export function register(program: Command): void {
  addSetOption(
    program
      .command('show')
      .description('print a scenario as written, or --resolved with defaults and --set overrides applied')
      .argument('<scenario>', 'scenario file (path) or bundled scenario name')
      .option('--resolved', 'print every field, with defaults and --set overrides applied (implied by --set)')
      .option('--json', 'print the resolved scenario as JSON, as the model sees it (bytes, ns)'),
  ).action((arg: string, opts: { set: string[]; resolved?: boolean; json?: boolean }) => {
    // Always validate: show never prints a scenario that would not run.
    const s = loadScenarioArg(arg, opts.set);
    if (opts.json) {
      out(JSON.stringify(s, null, 2));
    } else if (opts.resolved || opts.set.length > 0) {
      const sets = opts.set.length > 0 ? ` with ${opts.set.map((x) => `--set ${x}`).join(' ')}` : '';
      const header = `# scenario ${JSON.stringify(s.name)} resolved from ${JSON.stringify(arg)}${sets.replace(/[\r\n]/g, ' ')}\n# every field is present; sizes, durations and rates are in exact units`;
      out(scenarioToYaml(s, header));
    } else {
      out(new TextDecoder().decode(readScenarioSource(arg).text));
    }
  });
}
