import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ESLint } from 'eslint';

// dist/test/sim/lint-rules.test.js -> repo root.
const root = fileURLToPath(new URL('../../../', import.meta.url));

const probe = [
  "import { Kernel } from '../kernel/kernel.js';",
  'export const x: number = Math.random();',
  'export type K = Kernel;',
  '',
].join('\n');

async function lint(relPath: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const eslint = new ESLint({ cwd: root });
  // lintText with a filePath applies that folder's rules without writing the file.
  const [res] = await eslint.lintText(code, { filePath: join(root, relPath) });
  return res!.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
}

test('lint: src/sim may not use Math.random nor import src/kernel', async () => {
  const msgs = await lint('src/sim/__lint_probe__.ts', probe);
  assert.ok(
    msgs.some((m) => m.ruleId === 'no-restricted-syntax' && /Math\.random/.test(m.message)),
    `no Math.random finding in ${JSON.stringify(msgs)}`,
  );
  assert.ok(
    msgs.some((m) => m.ruleId === 'no-restricted-imports' && /src\/sim must not import src\/kernel/.test(m.message)),
    `no import-boundary finding in ${JSON.stringify(msgs)}`,
  );
});

test('lint: model code may not touch the host (Date, performance, setTimeout, process, node:*)', async () => {
  const code = [
    "import { readFileSync } from 'node:fs';",
    'export const a = Date.now();',
    'export const b = performance.now();',
    'export const c = setTimeout;',
    'export const d = process.argv;',
    'export const e = readFileSync;',
    '',
  ].join('\n');
  const msgs = await lint('src/kernel/__lint_probe__.ts', code);
  const syntax = msgs.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
  assert.ok(syntax.some((m) => /wall clock/.test(m)));
  assert.ok(syntax.some((m) => /host timers/.test(m)));
  assert.ok(syntax.some((m) => /process/.test(m)));
  assert.ok(msgs.some((m) => m.ruleId === 'no-restricted-imports' && /pure/.test(m.message)));
});

test('lint: src/kernel may not import src/mm, but bench/ may use the host', async () => {
  const msgs = await lint('src/kernel/__lint_probe__.ts', "import { x } from '../mm/page_alloc.js';\nexport const y = x;\n");
  assert.ok(msgs.some((m) => m.ruleId === 'no-restricted-imports' && /src\/kernel must not import src\/mm/.test(m.message)), JSON.stringify(msgs));
  const bench = await lint('bench/__lint_probe__.ts', 'export const t = performance.now() + Date.now() + Math.random();\n');
  assert.deepEqual(bench, []);
});
