import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { resolveScenario } from '../../src/scenario/load.js';
import { bundledNameOf, DEFAULT_SCENARIO } from '../../src/scenario/bundled.js';
import { renderJsonSchemaText } from '../../src/scenario/schema-docs.js';
import { checkJsonSchema } from './json-schema-lite.js';

// dist/test/scenario/*.test.js -> repo root.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = `${root}scenarios/`;
const files = readdirSync(dir).filter((f) => bundledNameOf(f) !== undefined).sort();

test('bundled: there is a flagship and at least three variations', () => {
  assert.ok(files.includes(`${DEFAULT_SCENARIO}.yaml`));
  assert.ok(files.length >= 4, files.join(', '));
});

for (const f of files) {
  const name = bundledNameOf(f)!;
  test(`bundled: ${name} validates, names itself, has a description and the schema line`, () => {
    const bytes = readFileSync(`${dir}${f}`);
    const s = resolveScenario({ name, text: new Uint8Array(bytes) });
    assert.equal(s.name, name);
    assert.ok(s.description.length > 10, 'has a description');
    assert.equal(bytes.toString('utf8').split('\n')[0], '# yaml-language-server: $schema=../scenario.schema.json');
  });

  test(`bundled: the committed JSON Schema accepts ${name}`, () => {
    const schema = JSON.parse(readFileSync(`${root}scenario.schema.json`, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(checkJsonSchema(schema, parse(readFileSync(`${dir}${f}`, 'utf8'))), []);
  });
}

test('bundled: flagship mirrors the schema defaults (keep scenarios/flagship.yaml in step with schema.ts)', () => {
  const flagship = resolveScenario({ name: 'flagship', text: new Uint8Array(readFileSync(`${dir}flagship.yaml`)) });
  const defaults = resolveScenario({ text: '{}' });
  assert.deepEqual({ ...flagship, name: defaults.name, description: defaults.description }, defaults);
});

test('bundled: the JSON Schema refuses what the loader refuses (spot checks)', () => {
  const schema = JSON.parse(renderJsonSchemaText()) as Record<string, unknown>;
  assert.deepEqual(checkJsonSchema(schema, {}), []);
  assert.notDeepEqual(checkJsonSchema(schema, { machine: { rma: 1 } }), []);
  assert.notDeepEqual(checkJsonSchema(schema, { machine: { ram: 'two' } }), []);
  assert.notDeepEqual(checkJsonSchema(schema, { machine: { hz: 200 } }), []);
  assert.notDeepEqual(checkJsonSchema(schema, { device: { service: { seek: 5 } } }), []);
  assert.notDeepEqual(checkJsonSchema(schema, { variants: ['bogus'] }), []);
});
