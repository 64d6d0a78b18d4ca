/**
 * Scenario arguments on the command line: a path or a bundled scenario name, plus --set overrides.
 *
 * This is the host side of src/scenario/load.ts: it finds and reads the file (checking its size
 * before reading a byte of it), then hands the bytes to the pure `resolveScenario`. The `run` and
 * `reproduce` commands use `loadScenarioArg` and `addScenarioOptions` the same way `validate` and
 * `show` do.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { freemem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { BUNDLED_SCENARIO_DIR, bundledNameOf, BUNDLED_SCENARIO_EXT, looksLikePath, unknownScenario } from '../scenario/bundled.js';
import { ScenarioError } from '../scenario/errors.js';
import { resolveScenario, type ResolvedScenario } from '../scenario/load.js';
import { estimateHostBytes, MAX_SCENARIO_BYTES } from '../scenario/schema-limits.js';
import { formatSize } from '../scenario/units.js';
import { UsageError } from './exit.js';

/** Absolute path of the package's scenarios/ directory (this file is dist/src/cli/scenario-source.js). */
export function bundledScenarioDir(): string {
  return fileURLToPath(new URL(`../../../${BUNDLED_SCENARIO_DIR}/`, import.meta.url));
}

/** Names of the bundled scenarios, sorted. */
export function listBundledScenarios(): string[] {
  try {
    return readdirSync(bundledScenarioDir())
      .map(bundledNameOf)
      .filter((n): n is string => n !== undefined)
      .sort();
  } catch {
    return [];
  }
}

export interface ScenarioSource {
  /** The label used in messages: the path as given, or the bundled name. */
  label: string;
  /** Set for a path argument. */
  file?: string;
  /** Set for a bundled scenario. */
  name?: string;
  text: Uint8Array;
}

function errnoText(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ENOENT') return 'no such file';
  return e instanceof Error ? e.message : String(e);
}

/** Reads a file of at most MAX_SCENARIO_BYTES, refusing larger or non-regular files before reading them. */
export function readScenarioFile(path: string, label = path): Uint8Array {
  let fd: number;
  try {
    // Look before opening: opening a FIFO for reading blocks until someone writes to it.
    if (!statSync(path).isFile()) throw new ScenarioError(`${label}: not a regular file`, { file: label });
    fd = openSync(path, 'r');
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(`${label}: cannot read: ${errnoText(e)}`, { file: label });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ScenarioError(`${label}: not a regular file`, { file: label });
    if (st.size > MAX_SCENARIO_BYTES) {
      throw new ScenarioError(`${label}: file is ${formatSize(st.size)} (${st.size} bytes); scenario files are limited to ${formatSize(MAX_SCENARIO_BYTES)}`, { file: label });
    }
    // Read at most one byte past the limit, in case the file grew since fstat.
    const buf = new Uint8Array(MAX_SCENARIO_BYTES + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n === buf.length) break;
    }
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(`${label}: cannot read: ${errnoText(e)}`, { file: label });
  } finally {
    closeSync(fd);
  }
}

/** Finds and reads a scenario named by `arg`: a path, or a bundled name ("flagship" or "flagship.yaml"). */
export function readScenarioSource(arg: string): ScenarioSource {
  if (arg === '') throw new ScenarioError('"": expected a scenario file or bundled scenario name');
  const bundled = listBundledScenarios();
  const asName = arg.endsWith(BUNDLED_SCENARIO_EXT) ? arg.slice(0, -BUNDLED_SCENARIO_EXT.length) : arg;
  if (!looksLikePath(arg) && bundled.includes(asName)) {
    return { label: asName, name: asName, text: readScenarioFile(`${bundledScenarioDir()}${asName}${BUNDLED_SCENARIO_EXT}`, asName) };
  }
  try {
    return { label: arg, file: arg, text: readScenarioFile(arg) };
  } catch (e) {
    if (e instanceof ScenarioError && /no such file$/.test(e.message)) throw unknownScenario(arg, bundled);
    throw e;
  }
}

/** Reads and resolves the scenario named by `arg` with `sets` applied. */
export function loadScenarioArg(arg: string, sets: readonly string[] = []): ResolvedScenario {
  const src = readScenarioSource(arg);
  return resolveScenario({ text: src.text, file: src.label, ...(src.name !== undefined ? { name: src.name } : {}), sets });
}

/** Commander collector for a repeatable option. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds `--set <path=value>` (repeatable) to a command. */
export function addSetOption(cmd: Command): Command {
  return cmd.option('--set <path=value>', 'override a scenario field, e.g. machine.ram=2GiB (repeatable; see docs/scenario-format.md)', collect, []);
}

/** Adds `--force` (run even when the host-memory estimate exceeds free memory) to a command. */
export function addForceOption(cmd: Command): Command {
  return cmd.option('--force', 'run even if the estimated host memory exceeds free memory');
}

/** Refuses (UsageError) when the scenario's estimated host memory exceeds free memory, unless `force`. */
export function checkHostMemory(s: ResolvedScenario, force: boolean, free = freemem()): void {
  const need = estimateHostBytes(s);
  if (need > free && !force) {
    throw new UsageError(
      `scenario "${s.name}" needs about ${Math.ceil(need / 2 ** 20)} MiB of host memory (machine.ram ${formatSize(s.machine.ram_bytes)}), but only ${Math.floor(free / 2 ** 20)} MiB is free; use --force to run anyway`,
    );
  }
}
