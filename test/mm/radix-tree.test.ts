import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GFP_ATOMIC, __GFP_NOWARN } from '../../src/include/gfp.js';
import { PF_MEMALLOC } from '../../src/kernel/task.js';
import { SLAB_PANIC, SLAB_RECLAIM_ACCOUNT } from '../../src/include/slab.js';
import {
  radix_tree_check,
  radix_tree_ctx,
  radix_tree_delete,
  radix_tree_insert,
  radix_tree_maxindex,
  radix_tree_preload,
  radix_tree_root,
  RADIX_TREE_MAX_PATH,
  SIZEOF_RADIX_TREE_NODE,
} from '../../src/mm/radix-tree.js';
import { machine, drain } from './helpers.js';

function tree(ram_mib = 64) {
  const m = machine(ram_mib, 2);
  const cache = m.slub.kmem_cache_create('radix_tree_node', SIZEOF_RADIX_TREE_NODE, 0, SLAB_PANIC | SLAB_RECLAIM_ACCOUNT, () => {});
  const ctx = new radix_tree_ctx(m.k, cache, 2);
  const root = new radix_tree_root('swapper_space', GFP_ATOMIC | __GFP_NOWARN);
  return { ...m, cache, ctx, root };
}

/** Nodes a tree over `items` holds: the distinct prefixes at every level of its height. */
function expectedNodes(items: number[], height: number): number {
  let n = 0;
  for (let level = 1; level <= height; level++) n += new Set(items.map((i) => Math.floor(i / 64 ** level))).size;
  return n;
}

test('radix_tree_node: its constructor keeps SLUB from merging it; 552 bytes + the free pointer SLUB moves out of a constructed object = 560, 7 per page', () => {
  const { cache } = tree();
  assert.equal(cache.s.name, 'radix_tree_node');
  assert.equal(cache.s.size, 560);
  assert.equal(cache.s.objects, 7);
});

test('radix_tree_maxindex: 63, 4095, 262143 for heights 1..3', () => {
  assert.deepEqual([0, 1, 2, 3].map(radix_tree_maxindex), [0, 63, 4095, 262143]);
});

test('radix_tree_insert: consecutive swap slots need one leaf per 64 and the interior nodes above (1..300)', () => {
  const { ctx, root } = tree();
  for (let i = 1; i <= 300; i++) {
    assert.equal(radix_tree_preload(ctx, GFP_ATOMIC), 0);
    assert.equal(radix_tree_insert(ctx, root, i), 0);
  }
  assert.equal(root.height, 2);
  const items = Array.from({ length: 300 }, (_, i) => i + 1);
  assert.equal(root.nodes.size, expectedNodes(items, 2)); // 5 leaves + 1 top
  radix_tree_check(root);
  // The pools are topped up to RADIX_TREE_MAX_PATH after each preload: nodes live = tree + pool.
  assert.equal(ctx.preloads[0]!.length, RADIX_TREE_MAX_PATH);
  assert.equal(ctx.nodes_live, root.nodes.size + RADIX_TREE_MAX_PATH);
  assert.equal(radix_tree_insert(ctx, root, 7), -17, 'a present index is -EEXIST');
});

test('radix_tree_delete: emptied leaves are freed, the tree shrinks, and an empty tree holds no node', () => {
  const { ctx, root } = tree();
  radix_tree_preload(ctx, GFP_ATOMIC);
  for (const i of [1, 2, 100, 5000]) {
    radix_tree_preload(ctx, GFP_ATOMIC);
    assert.equal(radix_tree_insert(ctx, root, i), 0);
  }
  assert.equal(root.height, 3);
  assert.equal(radix_tree_delete(ctx, root, 5000), true);
  radix_tree_check(root);
  // Only slot 0 of the top is left in use, so the top goes and the tree is height 2.
  assert.equal(root.height, 2);
  assert.equal(radix_tree_delete(ctx, root, 5000), false, 'deleting twice finds nothing');
  for (const i of [1, 2, 100]) radix_tree_delete(ctx, root, i);
  assert.equal(root.height, 0);
  assert.equal(root.nodes.size, 0);
  assert.equal(ctx.nodes_live, ctx.preloads[0]!.length, 'only the preload pool still holds nodes');
});

for (const [what, max] of [['spread-out', 300000], ['clustered (the leaf shortcut is hit, and its leaf freed and re-made)', 200], ['up to 2^31 - 1 (height 6, where a 32-bit shift by 36 would wrap)', 2 ** 31 - 1]] as const) {
test(`radix tree: node counts stay exact under any insert/delete sequence, ${what} indices (property)`, () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max })), { maxLength: 200 }), (ops) => {
      const { ctx, root } = tree();
      const present = new Set<number>();
      for (const [ins, i] of ops) {
        if (ins) {
          radix_tree_preload(ctx, GFP_ATOMIC);
          assert.equal(radix_tree_insert(ctx, root, i), present.has(i) ? -17 : 0);
          present.add(i);
        } else {
          assert.equal(radix_tree_delete(ctx, root, i), present.delete(i));
        }
        radix_tree_check(root);
      }
      if (present.size > 0) assert.equal(root.nodes.size, expectedNodes([...present], root.height));
      assert.equal(ctx.nodes_live, root.nodes.size + ctx.preloads[0]!.length);
      assert.equal(ctx.in_trees, root.nodes.size);
    }),
    { numRuns: 200, seed: 42 },
  );
});
}

test('radix_tree_preload: GFP_ATOMIC under PF_MEMALLOC dips below every watermark; without PF_MEMALLOC it fails at the atomic line', () => {
  const { k, pa, ctx } = tree(64);
  // Leave fewer free pages than the GFP_ATOMIC line of every zone, but some.
  drain(pa, 8);
  const before = pa.nr_free_pages;
  assert.equal(radix_tree_preload(ctx, GFP_ATOMIC), -12, 'a plain task gets -ENOMEM');
  assert.equal(ctx.stat.preload_failures, 1);
  k.current.flags |= PF_MEMALLOC;
  assert.equal(radix_tree_preload(ctx, GFP_ATOMIC), 0, 'a reclaimer gets ALLOC_NO_WATERMARKS');
  k.current.flags &= ~PF_MEMALLOC;
  assert.ok(pa.nr_free_pages < before, 'the preload took pages below the line');
});
