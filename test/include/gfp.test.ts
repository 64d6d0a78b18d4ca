import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as g from '../../src/include/gfp.js';
import * as slab from '../../src/include/slab.js';

test('gfp: composite values match include/linux/gfp.h (2.6.25)', () => {
  assert.equal(g.GFP_ATOMIC, 0x20);
  assert.equal(g.GFP_NOIO, 0x10);
  assert.equal(g.GFP_NOFS, 0x50);
  assert.equal(g.GFP_KERNEL, 0xd0);
  assert.equal(g.GFP_USER, 0x200d0);
  assert.equal(g.GFP_HIGHUSER_MOVABLE, 0x1200d2);
  assert.equal(g.__GFP_NOMEMALLOC, 0x10000);
  assert.equal(g.GFP_RECLAIM_MASK, 0x11ef0);
  assert.equal(g.GFP_CONSTRAINT_MASK, 0x60000);
});

test('gfp: format_gfp gives hex and greedy symbolic forms (GFP_ATOMIC, mempool NOIO)', () => {
  assert.deepEqual(g.format_gfp(g.GFP_ATOMIC), { hex: '0x20', mode: 'mode:0x20', symbolic: 'GFP_ATOMIC', text: 'mode:0x20 (GFP_ATOMIC)' });
  const mp = g.GFP_NOIO | g.__GFP_NOMEMALLOC | g.__GFP_NORETRY | g.__GFP_NOWARN;
  assert.equal(g.format_gfp(mp).mode, 'mode:0x11210');
  assert.equal(g.format_gfp(mp).symbolic, 'GFP_NOIO|__GFP_NOWARN|__GFP_NORETRY|__GFP_NOMEMALLOC');
  assert.equal(g.gfp_symbolic(0x11200), '__GFP_NOWARN|__GFP_NORETRY|__GFP_NOMEMALLOC');
  assert.equal(g.gfp_symbolic(g.GFP_HIGHUSER_MOVABLE), 'GFP_HIGHUSER_MOVABLE');
  assert.equal(g.gfp_symbolic(0), 'GFP_NOWAIT');
  assert.equal(g.gfp_symbolic(0x400000), '0x400000');
});

test('slab flags: merge sets match slub.c (2.6.25)', () => {
  assert.equal(slab.SLUB_NEVER_MERGE, 0x400 | 0x800 | 0x10000 | 0x200000 | 0x80000);
  assert.equal(slab.SLUB_MERGE_SAME, 0x100 | 0x20000 | 0x4000);
  assert.equal(slab.__KMALLOC_CACHE, 0x20000000);
  assert.equal(slab.__PAGE_ALLOC_FALLBACK, 0x10000000);
});
