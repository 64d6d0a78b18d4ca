// Lint rules that enforce the architecture of docs/architecture.md:
// dependencies point one way (sim <- include <- kernel <- mm <- fs/block/scsi <- workload <- check <- scenario
// <- explore/report <- cli), and model code never touches the host (clock, randomness, process, node:*).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layers = ['sim', 'include', 'kernel', 'mm', 'fs', 'block', 'scsi', 'workload', 'check', 'scenario', 'explore', 'report', 'audit', 'cli'];

/** What each layer may NOT import (everything above it, plus siblings it must not see). */
const forbidden = {
  sim: ['include', 'kernel', 'mm', 'fs', 'block', 'scsi', 'workload', 'check', 'scenario', 'explore', 'report', 'cli'],
  include: ['kernel', 'mm', 'fs', 'block', 'scsi', 'workload', 'check', 'scenario', 'explore', 'report', 'cli'],
  kernel: ['mm', 'fs', 'block', 'scsi', 'workload', 'check', 'scenario', 'explore', 'report', 'cli'],
  // mm allocators may not see block/scsi; reclaim files (vmscan, page_io, swap*, shmem) may use block.
  mm: ['fs', 'scsi', 'workload', 'check', 'scenario', 'explore', 'report', 'cli'],
  // fs (the dentry cache) sits on the allocators, beside block.
  fs: ['block', 'scsi', 'workload', 'check', 'scenario', 'explore', 'report', 'cli'],
  block: ['fs', 'scsi', 'workload', 'check', 'scenario', 'explore', 'report', 'cli'],
  scsi: ['fs', 'workload', 'check', 'scenario', 'explore', 'report', 'cli'],
  workload: ['check', 'scenario', 'explore', 'report', 'cli'],
  check: ['scenario', 'explore', 'report', 'cli'],
  scenario: ['explore', 'report', 'cli'],
  explore: ['report', 'cli'],
  report: ['explore', 'cli'],
  // audit reads a real kernel's /sys/kernel/slab (host I/O, like explore/report); it may use sim, include and mm.
  audit: ['kernel', 'fs', 'block', 'scsi', 'workload', 'check', 'scenario', 'explore', 'report', 'cli'],
  cli: [],
};
// Model layers may not import src/audit.
for (const l of ['sim', 'include', 'kernel', 'mm', 'fs', 'block', 'scsi', 'workload', 'check', 'scenario']) forbidden[l].push('audit');

const hostBan = [
  { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Model code must use the seeded PRNG (src/sim/prng.ts), never Math.random.' },
  { selector: "Identifier[name='Date']", message: 'Model code must not read the wall clock; use simulated time.' },
  { selector: "MemberExpression[object.name='performance']", message: 'Model code must not read the wall clock; use simulated time.' },
  { selector: "Identifier[name=/^(setTimeout|setInterval|setImmediate|queueMicrotask)$/]", message: 'Model code must not use host timers; use the engine.' },
  { selector: "Identifier[name='process']", message: 'Only src/cli may touch process (env, argv, exit, stdio).' },
];

function restrictImports(layer) {
  const patterns = forbidden[layer].map((l) => ({
    group: [`**/${l}/*`, `**/${l}`],
    message: `src/${layer} must not import src/${l} (dependencies point one way; see docs/architecture.md).`,
  }));
  return patterns;
}

const nodeBan = { group: ['node:*', '/fs', '/fs/*', '/path', '/os', '/child_process', '/worker_threads'], message: 'Model code is pure: no node:* modules outside src/cli, src/explore and src/report I/O helpers.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'eslint.config.js', 'src/report/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      'require-yield': 'off',
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
  ...layers.filter((l) => l !== 'cli').map((layer) => {
    const pure = !['explore', 'report', 'audit'].includes(layer);
    return {
      files: [`src/${layer}/**/*.ts`],
      rules: {
        'no-restricted-imports': ['error', { patterns: [...restrictImports(layer), ...(pure ? [nodeBan] : [])] }],
        'no-restricted-syntax': pure ? ['error', ...hostBan] : 'off',
      },
    };
  }),
  {
    // Allocators (page_alloc, slub, slab, mempool) sit below the block layer: they may not import it.
    files: ['src/mm/page_alloc.ts', 'src/mm/slub.ts', 'src/mm/slab.ts', 'src/mm/mempool.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...restrictImports('mm'), { group: ['**/block/*', '**/block'], message: 'Allocators must not import the block layer.' }, nodeBan] }],
    },
  },
);
