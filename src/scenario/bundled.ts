/**
 * Bundled scenarios: the YAML files in the package's scenarios/ directory, named by their file name
 * without ".yaml" (`flagship`, `small-box`, ...).
 *
 * This module is pure: it decides whether a scenario argument names a file or a bundled scenario
 * and phrases the "not found" message. The CLI (src/cli/scenario-source.ts) lists the directory
 * and reads the files.
 */
import { ScenarioError } from './errors.js';
import { closest } from './schema.js';

/** The directory, relative to the package root, that holds bundled scenarios. */
export const BUNDLED_SCENARIO_DIR = 'scenarios';
/** Bundled scenario files end with this; the name is the file name without it. */
export const BUNDLED_SCENARIO_EXT = '.yaml';

/** The scenario the `run` and `reproduce` commands use when none is given. */
export const DEFAULT_SCENARIO = 'flagship';

/** An argument names a file when it has a path separator or a YAML extension; otherwise it may be a bundled name. */
export function looksLikePath(arg: string): boolean {
  return /[/\\]/.test(arg) || /\.ya?ml$/i.test(arg);
}

/** The bundled name of a file in the scenarios directory, or undefined if it is not a scenario file. */
export function bundledNameOf(fileName: string): string | undefined {
  if (!fileName.endsWith(BUNDLED_SCENARIO_EXT)) return undefined;
  const name = fileName.slice(0, -BUNDLED_SCENARIO_EXT.length);
  return /^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name) ? name : undefined;
}

/** The one-line error for an argument that is neither a readable file nor a bundled scenario. */
export function unknownScenario(arg: string, bundled: readonly string[]): ScenarioError {
  const shown = JSON.stringify(arg.length > 80 ? `${arg.slice(0, 80)}...` : arg);
  const near = closest(arg.replace(/\.ya?ml$/i, ''), bundled);
  const hint = near ? `; did you mean ${near}?` : bundled.length > 0 ? `; bundled scenarios: ${bundled.join(', ')}` : '';
  return new ScenarioError(`${shown}: no such file or bundled scenario${hint}`, { file: arg });
}
