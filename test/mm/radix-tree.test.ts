import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GFP_ATOMIC, GFP_HIGHUSER_MOVABLE, __GFP_HIGHMEM, __GFP_NOWARN } from '../../src/include/gfp.js';
import { PF_MEMALLOC } from '../../src/kernel/task.js';
import { SLAB_PANIC, SLAB_RECLAIM_ACCOUNT } from '../../src/include/slab.js';
import {
  radix_tree_check,
  radix_tree_ctx,
  radix_tree_delete,
  radix_tree_insert,
  radix_tree_maxindex,
  radix_tree_preload,
  radix_tree_preload_nosleep,
  radix_tree_preload_wait,
  radix_tree_root,
  RADIX_TREE_MAX_PATH,
  SIZEOF_RADIX_TREE_NODE,
} from '../../src/mm/radix-tree.js';
import { machine, drain } from './helpers.js';
import { schedule_timeout_uninterruptible } from '../../src/kernel/sched.js';

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

test('radix_tree_preload with __GFP_WAIT: a node slab that needs a page below the watermarks reclaims for it (nosleep stops, wait enters try_to_free_pages), as shmem_getpage\'s preload does', () => {
  const { k, pa, ctx } = tree();
  const taken = drain(pa, 0);
  let reclaims = 0;
  pa.hooks = {
    wakeup_kswapd: () => {},
    *try_to_free_pages() {
      reclaims++;
      assert.ok(k.current.flags & PF_MEMALLOC, 'the preloading writer reclaims as a PF_MEMALLOC task');
      for (let i = 0; i < 500; i++) pa.__free_pages(taken.pop()!, 0);
      return 500;
    },
    *out_of_memory() {},
    swap_cache_info: () => null,
  };
  const gfp = GFP_HIGHUSER_MOVABLE & ~__GFP_HIGHMEM;
  let nosleep = 1;
  let wait = 1;
  k.kthread_run('cp', 0, 0, function* () {
    nosleep = radix_tree_preload_nosleep(ctx, gfp);
    wait = yield* radix_tree_preload_wait(ctx, gfp);
  });
  k.sim.run({ untilNs: 1e9 });
  assert.equal(nosleep, -12, 'without sleeping the first node finds no page (-ENOMEM)');
  assert.equal(pa.marks.slab_would_reclaim, 0, 'nothing gave up where reclaim would start');
  assert.equal(wait, 0);
  assert.equal(reclaims, 1);
  assert.equal(ctx.preloads[0]!.length, RADIX_TREE_MAX_PATH, 'the pool is full');
  assert.equal(ctx.stat.preload_failures, 0);
  assert.equal(ctx.nodes_live, RADIX_TREE_MAX_PATH);
});

test('radix_tree_preload_wait: a node that arrives after another task of the CPU filled the pool goes back to the slab', () => {
  const { k, pa, ctx, cache } = tree();
  const taken = drain(pa, 0);
  pa.hooks = {
    wakeup_kswapd: () => {},
    // Reclaim takes a jiffy (both writers sleep in it), then frees plenty.
    *try_to_free_pages() {
      yield* schedule_timeout_uninterruptible(k, 1);
      for (let i = 0; i < 200 && taken.length > 0; i++) pa.__free_pages(taken.pop()!, 0);
      return 200;
    },
    *out_of_memory() {},
    swap_cache_info: () => null,
  };
  const gfp = GFP_HIGHUSER_MOVABLE & ~__GFP_HIGHMEM;
  const rets: number[] = [];
  for (const comm of ['cp', 'cp']) {
    k.kthread_run(comm, 0, 0, function* () {
      rets.push(yield* radix_tree_preload_wait(ctx, gfp));
    });
  }
  k.sim.run({ untilNs: 1e9 });
  assert.deepEqual(rets, [0, 0]);
  assert.equal(ctx.preloads[0]!.length, RADIX_TREE_MAX_PATH, 'the pool never holds more than its size');
  assert.ok(ctx.stat.freed >= 1, "the second writer's node went back");
  assert.equal(ctx.nodes_live, RADIX_TREE_MAX_PATH);
  assert.equal(cache.s.objects_in_use, RADIX_TREE_MAX_PATH, 'no node is lost');
});
