#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/src/cli/main.js, built by `npm ci` (prepare) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const main = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('reclaimsim: not built yet; run `npm ci` (or `npm run build`) first\n');
  process.exit(1);
}
await import(main);
