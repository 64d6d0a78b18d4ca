import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SHMEM_DIR_GFP, SHMEM_NR_DIRECT, shmem_index_pages_before } from '../../src/mm/shmem.js';
import { __GFP_MOVABLE, __GFP_RECLAIMABLE, __GFP_WAIT, __GFP_ZERO } from '../../src/include/gfp.js';
import { loadScenarioArg } from '../../src/cli/scenario-source.js';
import { paramsFromScenario } from '../../src/scenario/params.js';
import { runScenario } from '../../src/scenario/run.js';

const KiB = 1024;

test('shmem_swp_alloc: index pages before each page of a file written from its start', () => {
  const at = (i: number): number => shmem_index_pages_before(i);
  for (let i = 0; i < SHMEM_NR_DIRECT; i++) assert.equal(at(i), 0, 'the first 16 entries live in the inode');
  assert.equal(at(16), 2, 'page 16: the indirect page and the first page of entries');
  assert.equal(at(17), 0);
  assert.equal(at(16 + 512), 1, 'a page of entries per 512 pages');
  assert.equal(at(16 + 512 * 255), 1);
  assert.equal(at(16 + 512 * 256), 2, 'past 256 pages of entries: a middle page as well');
  assert.equal(at(16 + 512 * 257), 1);
  assert.equal(at(16 + 512 * (256 + 512)), 2, 'the next middle page after 512 more');
  // Index pages are unmovable, zeroed and may sleep (shmem_dir_alloc).
  assert.equal(SHMEM_DIR_GFP & (__GFP_MOVABLE | __GFP_RECLAIMABLE), 0);
  assert.ok(SHMEM_DIR_GFP & __GFP_ZERO && SHMEM_DIR_GFP & __GFP_WAIT);
});

test('cp: files of more than 16 pages take their index pages (2 for 64 pages, 3 for 768), one-page files none', () => {
  const base = paramsFromScenario(loadScenarioArg('small-box', ['workload.copies=1']));
  const count = (size_bytes: number, files: number): number => {
    const p = { ...base, tree_bytes: files * size_bytes, file_size_mix: [{ size_bytes, weight: 1 }] };
    const { result, machine } = runScenario(p);
    assert.equal(result.verdict, 'COMPLETED');
    assert.equal(result.pages_copied, (files * size_bytes) / 4096);
    return machine.vm.events.shmem_index_pages;
  };
  assert.equal(count(256 * KiB, 10), 20);
  assert.equal(count(3072 * KiB, 2), 6);
  assert.equal(count(4 * KiB, 100), 0);
});
