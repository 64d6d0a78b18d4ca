import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderJsonSchemaText, renderScenarioDocs } from '../../src/scenario/schema-docs.js';
import { SCENARIO_FIELDS, scenarioJsonSchema, type Desc } from '../../src/scenario/schema.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const regen = 'run `npm run build && node scripts/gen-scenario-docs.mjs` and review the diff';

test('schema-docs: docs/scenario-format.md is up to date with the declarations', () => {
  assert.equal(readFileSync(`${root}docs/scenario-format.md`, 'utf8'), renderScenarioDocs(), regen);
});

test('schema-docs: scenario.schema.json is up to date with the declarations', () => {
  assert.equal(readFileSync(`${root}scenario.schema.json`, 'utf8'), renderJsonSchemaText(), regen);
});

/** Walks the field tree and the JSON Schema together: same keys at every level, every field described with a default. */
function sameShape(d: Desc, js: Record<string, unknown>, path: string): void {
  assert.equal(typeof js['description'], 'string', `${path}: description`);
  if (d.kind === 'section') {
    const props = js['properties'] as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(props), Object.keys(d.fields), `${path}: keys`);
    assert.equal(js['additionalProperties'], false, `${path}: unknown keys refused`);
    for (const [k, sub] of Object.entries(d.fields)) sameShape(sub, props[k]!, path ? `${path}.${k}` : k);
    return;
  }
  assert.ok('default' in js, `${path}: default`);
  assert.ok(d.doc.length > 3 && !d.doc.includes('\n'), `${path}: one-line doc`);
  if (d.element?.kind === 'section') sameShape(d.element, js['items'] as Record<string, unknown>, `${path}[]`);
}

test('schema-docs: the JSON Schema has exactly the declared fields, each with a description and default', () => {
  sameShape(SCENARIO_FIELDS, scenarioJsonSchema(), '');
});

test('schema-docs: every field appears in the docs with its resolved name', () => {
  const doc = renderScenarioDocs();
  const walk = (d: Desc, path: string): void => {
    if (d.kind === 'section') {
      for (const [k, sub] of Object.entries(d.fields)) walk(sub, path ? `${path}.${k}` : k);
      return;
    }
    assert.ok(doc.includes(`| \`${path}\` |`), `${path} documented`);
    const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.') + 1) : '';
    assert.ok(doc.includes(`\`${parent}${d.resolvedKey}\``), `${path} resolved name documented`);
  };
  walk(SCENARIO_FIELDS, '');
});
