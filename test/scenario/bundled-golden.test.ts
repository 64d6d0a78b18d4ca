import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveScenario } from '../../src/scenario/load.js';
import { paramsFromScenario } from '../../src/scenario/params.js';
import { runScenario } from '../../src/scenario/run.js';
import { goldenSummary } from '../../src/scenario/summary.js';

// dist/test/scenario -> repository root
const root = fileURLToPath(new URL('../../../', import.meta.url));
const bundled = readdirSync(join(root, 'scenarios')).filter((n) => n.endsWith('.yaml')).sort();

test('bundled scenarios: there is a golden summary for each one', () => {
  assert.ok(bundled.length >= 4);
  const goldens = readdirSync(join(root, 'test/golden/scenarios')).sort();
  assert.deepEqual(goldens, bundled.map((f) => f.replace(/\.yaml$/, '.json')));
});

for (const f of bundled) {
  test(`bundled scenarios: ${f} validates, runs with invariants checked, and matches its golden summary`, () => {
    const s = resolveScenario({ text: readFileSync(join(root, 'scenarios', f)), file: f });
    const got = goldenSummary(runScenario(paramsFromScenario(s), { check: 'cheap' }).result);
    const want = JSON.parse(readFileSync(join(root, 'test/golden/scenarios', f.replace(/\.yaml$/, '.json')), 'utf8'));
    assert.deepEqual(got, want, 'regenerate with `node scripts/update-scenario-goldens.mjs` after a reviewed model change');
  });
}
