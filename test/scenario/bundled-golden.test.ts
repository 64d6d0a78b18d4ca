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
    const { result, machine } = runScenario(paramsFromScenario(s), { check: 'cheap' });
    // alloc_pages_nosleep cannot reclaim: a slab page request that may wait, from a task without
    // PF_MEMALLOC, fails there where the kernel would reclaim. No bundled scenario may get there.
    assert.equal(machine.pa.marks.slab_would_reclaim, 0, 'a slab allocation reached direct reclaim, which the model cannot do there');
    const got = goldenSummary(result);
    const want = JSON.parse(readFileSync(join(root, 'test/golden/scenarios', f.replace(/\.yaml$/, '.json')), 'utf8'));
    assert.deepEqual(got, want, 'regenerate with `node scripts/update-scenario-goldens.mjs` after a reviewed model change');
  });
}
