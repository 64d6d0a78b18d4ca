#!/usr/bin/env node
// Regenerates docs/scenario-format.md and scenario.schema.json from the scenario schema
// (src/scenario/schema.ts). Run after `npm run build`; review the diff before committing.
// test/scenario/schema-docs.test.ts fails when the committed files are out of date.
/* global URL, process */
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { renderScenarioDocs, renderJsonSchemaText } = await import(new URL('../dist/src/scenario/schema-docs.js', import.meta.url).href);
mkdirSync(`${root}docs`, { recursive: true });
writeFileSync(`${root}docs/scenario-format.md`, renderScenarioDocs());
writeFileSync(`${root}scenario.schema.json`, renderJsonSchemaText());
process.stdout.write('wrote docs/scenario-format.md and scenario.schema.json\n');
