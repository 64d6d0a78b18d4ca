/**
 * Property tests for the scenario loader against bad input: thousands of malformed documents,
 * in process. Every one must end in a ScenarioError with one short line that names the file (or
 * --set), never another exception, a hang or a multi-line message. The CLI test
 * (test/cli/scenario-cli-property.test.ts) runs a sample of the same generators through the binary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { resolveScenario, scenarioToDocument } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { knownKeysAt, LEAF_PATHS, malformed, SECTION_PATHS } from './malformed.js';

function assertOneLine(e: unknown, label: RegExp): void {
  if (!(e instanceof ScenarioError)) throw new Error(`not a ScenarioError: ${e instanceof Error ? e.stack : String(e)}`);
  assert.ok(!/[\n\r]/.test(e.message), `one line: ${JSON.stringify(e.message)}`);
  assert.match(e.message, label);
  assert.ok(e.message.length < 400, `short: ${e.message}`);
}

function refused(input: Parameters<typeof resolveScenario>[0], label: RegExp): void {
  let s: unknown;
  try {
    s = resolveScenario(input);
  } catch (e) {
    assertOneLine(e, label);
    return;
  }
  throw new Error(`accepted: ${JSON.stringify(input).slice(0, 300)} -> ${JSON.stringify(s).slice(0, 100)}`);
}

test('load property: malformed documents are refused with one line naming the file (3000 cases)', () => {
  fc.assert(
    fc.property(malformed, (text) => refused({ file: 'bad.yaml', text, sets: [] }, /^bad\.yaml(:\d+)?: /)),
    { numRuns: 3000, seed: 42 },
  );
});

test('load property: bad --set values and paths are refused with one line naming --set (1500 cases)', () => {
  const badPath = fc.tuple(fc.constantFrom(...SECTION_PATHS), fc.string({ maxLength: 10 })).filter(([p, k]) => !knownKeysAt(p).includes(k) && !k.includes('.') && !k.includes('='));
  const setArg = fc.oneof(
    fc.tuple(fc.constantFrom(...LEAF_PATHS), fc.constantFrom('null', '~', '{x: 1}', '-1.5', '-7', '[[1]]', '1152921504606846976', '1e300', '[{a: []}]', '"unterminated', '[[[[', '.nan', '-.inf')).map(([p, v]) => `${p.join('.')}=${v}`),
    badPath.map(([p, k]) => `${[...p, k].join('.')}=1`),
    fc.string({ maxLength: 20 }).filter((s) => !s.includes('=')),
    fc.constantFrom(...SECTION_PATHS.filter((p) => p.length > 0)).map((p) => `${p.join('.')}=1`),
  );
  fc.assert(
    fc.property(fc.array(fc.constantFrom('seed=3', 'machine.cpus=4'), { maxLength: 2 }), setArg, (good, bad) => refused({ file: 'ok.yaml', text: '{}', sets: [...good, bad] }, /^--set /)),
    { numRuns: 1500, seed: 43 },
  );
});

test('load property: arbitrary text, bytes and JSON never crash (resolve or one-line ScenarioError; 3000 cases)', () => {
  const anyInput = fc.oneof(
    fc.string({ maxLength: 200, unit: 'binary' }),
    fc.uint8Array({ maxLength: 200 }),
    fc.jsonValue({ maxDepth: 4 }).map((v) => stringify(v)),
    fc.object({ maxDepth: 3 }).map((v) => stringify(v)),
  );
  fc.assert(
    fc.property(anyInput, (text) => {
      try {
        resolveScenario({ file: 'any.yaml', text, sets: [] });
      } catch (e) {
        assertOneLine(e, /^any\.yaml(:\d+)?: /);
      }
    }),
    { numRuns: 3000, seed: 44 },
  );
});

test('load property: valid random overrides resolve, and their resolved YAML resolves to the same scenario (500 cases)', () => {
  const sets = fc.record({
    cpus: fc.integer({ min: 1, max: 64 }),
    hz: fc.constantFrom(100, 250, 300, 1000),
    seed: fc.maxSafeNat(),
    ramMiB: fc.integer({ min: 64, max: 8192 }),
    copies: fc.integer({ min: 1, max: 8 }),
    treeKiB: fc.integer({ min: 256, max: 1024 * 1024 }),
    variants: fc.subarray(['noop-ctor', 'single-cache', 'slub_nomerge']),
    seekUs: fc.integer({ min: 0, max: 10_000_000 }),
    elevator: fc.constantFrom('noop', 'deadline'),
  });
  fc.assert(
    fc.property(sets, (v) => {
      // The data, and room for its one-page files' dentries and inodes (968 bytes a name).
      const needMiB = Math.ceil((1.5 * v.copies * v.treeKiB) / 1024);
      const s = resolveScenario({
        text: '{}',
        sets: [
          `machine.cpus=${v.cpus}`,
          `machine.hz=${v.hz}`,
          `seed=${v.seed}`,
          `machine.ram=${v.ramMiB}MiB`,
          `workload.copies=${v.copies}`,
          `workload.tree_size=${v.treeKiB}KiB`,
          `swap.size=${needMiB}MiB`,
          `variants=[${v.variants.join(',')}]`,
          `device.service.seek=${v.seekUs}us`,
          `device.elevator=${v.elevator}`,
          `workload.file_size_mix=[{size: 1KiB, weight: 1}]`,
        ],
      });
      assert.equal(s.machine.ram_bytes, v.ramMiB * 1024 * 1024);
      assert.equal(s.device.service.seek_ns, v.seekUs * 1000);
      assert.deepEqual(resolveScenario({ text: stringify(scenarioToDocument(s)) }), s);
    }),
    { numRuns: 500, seed: 45 },
  );
});
