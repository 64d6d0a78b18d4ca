/**
 * `--param path=value` filters for the results store, resolved through the scenario layer:
 * "machine.ram=256MiB" -> records whose resolved scenario has machine.ram_bytes 268435456.
 */
import { resolveScenario } from '../scenario/load.js';
import { ScenarioError } from '../scenario/errors.js';
import { ExploreError } from './errors.js';
import { resolvedPath, valueAt } from './spec.js';

export function parseParamFilter(arg: string, flag = '--param'): { path: string[]; value: unknown; dflt: unknown } {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new ExploreError(`${flag} ${arg.slice(0, 80)}: expected path=value, such as machine.ram=256MiB`);
  const path = arg.slice(0, eq).trim();
  const set = `${path}=${arg.slice(eq + 1)}`;
  let s;
  try {
    s = resolveScenario({ sets: [set] });
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    // Cross-field rules of the default scenario (copies x tree vs RAM + swap) do not apply to a filter value.
    try {
      s = resolveScenario({ sets: path === 'swap.size' ? [set] : ['swap.size=16TiB', 'workload.file_size_mix=[{size: 4KiB, weight: 1}]', set] });
    } catch {
      throw new ExploreError(e.message.replace(/^--set /, `${flag} `));
    }
  }
  // A record stored before its field existed (sched_salt, say) ran with the field's default.
  return { path: resolvedPath(path), value: valueAt(s, path), dflt: valueAt(resolveScenario({}), path) };
}
