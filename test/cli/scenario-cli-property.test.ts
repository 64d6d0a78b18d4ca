/**
 * The scenario CLI against bad input, through the binary: a sample of the loader's malformed
 * documents (test/scenario/load-property.test.ts) and random argument vectors. Every run ends
 * with exit 0 or 1; every failure is one line on stderr, never a crash, hang or stack trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { malformed } from '../scenario/malformed.js';
import { cli, oneLineError, pool } from './scenario-cli-helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'reclaimsim-scenario-prop-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

test('cli scenario property: 30 malformed files give exit 1 and one line naming the file', async () => {
  const samples = fc.sample(malformed, { numRuns: 30, seed: 1234 });
  const results = await pool(
    samples.map((text, i) => async () => {
      const p = join(tmp, `bad-${i}.yaml`);
      writeFileSync(p, text);
      return { p, r: await cli(['validate', p]) };
    }),
  );
  for (const { p, r } of results) {
    assert.equal(oneLineError(r), undefined, `${p}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.startsWith(`reclaimsim: ${p}`), r.stderr);
  }
});

test('cli scenario property: 40 random argument vectors never crash (exit 0, or 1 with one line)', async () => {
  const token = fc.oneof(
    fc.constantFrom(
      'flagship', 'small-box', 'nosuch', 'scenarios/flagship.yaml', '/dev/null', '/', '.', '--set', 'machine.ram=2GiB', 'machine.ram=two',
      'bogus=1', 'seed=-1', '--resolved', '--json', '--help', '--bogus', '-x', '--set=seed=3', '', '--', '=', 'variants=[[[', 'workload.copies=9999',
    ),
    fc.string({ maxLength: 12 }),
  );
  const argv = fc.tuple(fc.constantFrom('validate', 'show', 'schema', 'scenarios'), fc.array(token, { maxLength: 5 })).map(([c, rest]) => [c, ...rest]);
  const vectors = fc.sample(argv, { numRuns: 40, seed: 99 });
  const results = await pool(vectors.map((v) => async () => ({ v, r: await cli(v) })));
  for (const { v, r } of results) {
    if (r.status === 0) {
      assert.equal(r.stderr, '', `${JSON.stringify(v)}: ${r.stderr}`);
    } else {
      assert.equal(oneLineError(r), undefined, `${JSON.stringify(v)}: ${r.stderr}`);
    }
  }
});
