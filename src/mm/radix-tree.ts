/**
 * Radix trees as the page cache and swap cache use them: how many nodes a tree holds, when an
 * insertion needs a new node, where that node comes from, and when a deletion frees nodes.
 *
 * Mirrors: lib/radix-tree.c (radix_tree_preload, radix_tree_node_alloc, radix_tree_node_free,
 * radix_tree_maxindex, radix_tree_extend, radix_tree_insert, radix_tree_delete,
 * radix_tree_shrink), v2.6.25. The model keeps it under mm/ because only the page cache and the
 * swap cache use it.
 *
 * Why it matters here: shmem_writepage adds a page to the swap cache with GFP_ATOMIC and, unlike
 * add_to_swap, without __GFP_NOMEMALLOC. It runs in reclaim, under PF_MEMALLOC, so when the
 * preload has to allocate a node and the zones are below the GFP_ATOMIC line, __alloc_pages takes
 * the PF_MEMALLOC branch and allocates with ALLOC_NO_WATERMARKS (add_to_swap's own comment warns
 * that such node allocations can exhaust the page allocator). The same move frees the tmpfs file's
 * nodes back to the same cache, which in the flagship more than covers the swap cache's nodes.
 *
 * Modelled: 64-slot nodes (RADIX_TREE_MAP_SHIFT 6) of 552 bytes from the unmergeable
 * radix_tree_node cache; the tree's height growing on demand and shrinking when only slot 0 of
 * the top node is left; one leaf per 64 consecutive indices and the interior nodes above it; the
 * per-CPU preload pool of RADIX_TREE_MAX_PATH (11 on 64-bit) nodes, refilled before each insert;
 * trees whose gfp_mask lacks __GFP_WAIT take nodes from that pool first.
 * Not modelled: tags (no tagged lookups on this path), RCU lookups, and the RCU grace period
 * before a freed node returns to its slab (the model frees it at once). Items themselves are not
 * stored: a leaf keeps a 64-bit map of its used slots, the caller keeps the page.
 * Contexts: any; never sleeps unless the preload's gfp has __GFP_WAIT (never on this path).
 */
import { fail } from '../sim/assert.js';
import type { Kernel } from '../kernel/kernel.js';
import type { KGen } from '../kernel/task.js';
import { __GFP_RECLAIMABLE, __GFP_WAIT } from '../include/gfp.js';
import { EEXIST, ENOMEM } from '../include/errno.js';
import { kmem_cache_alloc, kmem_cache_free, type kmem_cache } from './slub.js';

export const RADIX_TREE_MAP_SHIFT = 6;
export const RADIX_TREE_MAP_SIZE = 1 << RADIX_TREE_MAP_SHIFT;
/** DIV_ROUND_UP(BITS_PER_LONG, RADIX_TREE_MAP_SHIFT) on 64-bit: the longest path, the preload size. */
export const RADIX_TREE_MAX_PATH = 11;
/** sizeof(struct radix_tree_node) on x86_64: height, count, rcu_head, 64 slots, 2 tag words. */
export const SIZEOF_RADIX_TREE_NODE = 552;

/**
 * One node: its slab object and how many of its 64 slots are in use. A leaf (level 1) also keeps
 * which slots hold items, as two 32-bit halves; interior nodes leave them 0.
 */
interface radix_tree_node {
  obj: number;
  count: number;
  lo: number;
  hi: number;
}

function slot_bit(index: number): number {
  return 1 << (index & 31);
}

function slot_used(leaf: radix_tree_node, index: number): boolean {
  return ((index & 32 ? leaf.hi : leaf.lo) & slot_bit(index)) !== 0;
}

function slot_flip(leaf: radix_tree_node, index: number): void {
  if (index & 32) leaf.hi ^= slot_bit(index);
  else leaf.lo ^= slot_bit(index);
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * A tree's root. Nodes are kept by (level above the items, index >> level*6): level 1 nodes are
 * leaves whose slots hold items, and that key does not change when the tree grows or shrinks.
 */
export class radix_tree_root {
  height = 0;
  /** Height 0 with an item at index 0 stored in the root itself (no node). */
  rnode_item = false;
  readonly nodes = new Map<number, radix_tree_node>();
  /**
   * The leaf last inserted into or deleted from, and its key: swap slots and file offsets come in
   * runs, so most operations find their leaf here without walking the levels. Not a kernel field
   * (a lookup shortcut); cleared whenever that node leaves the tree.
   */
  leafKey = -1;
  leaf: radix_tree_node | null = null;
  /** This tree's number in VmState.mappings while a page refers to it, else -1 (not a kernel field). */
  mapping_id = -1;
  constructor(
    readonly name: string,
    /** The root's gfp_mask (RADIX_TREE_INIT): what radix_tree_node_alloc allocates nodes with. */
    readonly gfp_mask: number,
  ) {}
}

/** The node cache and the per-CPU preload pools (radix_tree_preloads). */
export class radix_tree_ctx {
  readonly preloads: number[][];
  /** Nodes allocated and freed, for reports and invariants (not kernel fields). */
  readonly stat = { allocated: 0, freed: 0, preload_failures: 0 };
  /** Nodes in any tree (the rest of the live nodes sit in preload pools). */
  in_trees = 0;
  constructor(
    readonly k: Kernel,
    readonly cachep: kmem_cache,
    cpus: number,
  ) {
    this.preloads = Array.from({ length: cpus }, () => []);
  }
  /** Nodes held now: in trees and in preload pools. */
  get nodes_live(): number {
    return this.stat.allocated - this.stat.freed;
  }
}

/**
 * A node's key: its level and the index bits above it. Indices here (swap slots, page offsets of
 * a file) stay below 2^31; JavaScript takes a shift count modulo 32, so level 6 (a shift of 36,
 * needed from 2^30 on) is written out: nothing of the index is left above it.
 */
function key(level: number, index: number): number {
  const shift = RADIX_TREE_MAP_SHIFT * level;
  return (shift < 32 ? index >>> shift : 0) * 8 + level;
}

/** The largest index of each height (height_to_maxindex, computed once as the kernel does). */
const height_to_maxindex = Array.from({ length: RADIX_TREE_MAX_PATH + 1 }, (_, h) => (h === 0 ? 0 : 2 ** Math.min(RADIX_TREE_MAP_SHIFT * h, 52) - 1));

/** @kernel lib/radix-tree.c radix_tree_maxindex — the largest index a tree of this height holds. */
export function radix_tree_maxindex(height: number): number {
  return height_to_maxindex[height]!;
}

/**
 * @kernel lib/radix-tree.c radix_tree_node_alloc, radix_tree_preload (their kmem_cache_alloc)
 * A node from the slab, marked __GFP_RECLAIMABLE as set_migrateflags marks it; counted.
 */
function node_kmem_alloc(ctx: radix_tree_ctx, gfp_mask: number): number {
  const obj = kmem_cache_alloc(ctx.cachep, gfp_mask | __GFP_RECLAIMABLE);
  if (obj !== 0) ctx.stat.allocated++;
  return obj;
}

/**
 * @kernel lib/radix-tree.c radix_tree_preload
 * Fill this CPU's pool to RADIX_TREE_MAX_PATH nodes so that the insert that follows cannot fail
 * for lack of a node. Returns 0, or -ENOMEM when a node allocation fails (the pool keeps what it
 * got). The allocation runs in the caller's context: under PF_MEMALLOC without __GFP_NOMEMALLOC it
 * may dip below every watermark.
 */
export function radix_tree_preload(ctx: radix_tree_ctx, gfp_mask: number): number {
  const pool = ctx.preloads[ctx.k.smp_processor_id()]!;
  while (pool.length < RADIX_TREE_MAX_PATH) {
    const obj = node_kmem_alloc(ctx, gfp_mask);
    if (obj === 0) {
      ctx.stat.preload_failures++;
      return -ENOMEM;
    }
    pool.push(obj);
  }
  return 0;
}

/**
 * @kernel lib/radix-tree.c radix_tree_preload (with __GFP_WAIT, as far as nothing sleeps)
 * The preload of a caller that may sleep, tried without sleeping: each missing node from the CPU
 * slab, a partial slab, or a new slab whose page comes from __alloc_pages' low-watermark pass.
 * Returns 0, or -ENOMEM where the page allocator would go on (wake kswapd, reclaim): then the
 * caller finishes with radix_tree_preload_wait. Nothing is counted as a failure here.
 */
export function radix_tree_preload_nosleep(ctx: radix_tree_ctx, gfp_mask: number): number {
  const pool = ctx.preloads[ctx.k.smp_processor_id()]!;
  const slub = ctx.cachep.s.allocator;
  while (pool.length < RADIX_TREE_MAX_PATH) {
    const obj = slub.kmem_cache_alloc_nosleep(ctx.cachep, gfp_mask | __GFP_RECLAIMABLE);
    if (obj === 0) return -ENOMEM;
    ctx.stat.allocated++;
    pool.push(obj);
  }
  return 0;
}

/**
 * @kernel lib/radix-tree.c radix_tree_preload (with __GFP_WAIT)
 * The rest of a preload that may sleep: a node whose slab needs a new page gets it from
 * __alloc_pages, which may wake kswapd and enter direct reclaim (kmem_cache_alloc_wait). The pool
 * is read again after every node, because other tasks on this CPU use it while this one sleeps
 * (the kernel re-reads its per-CPU pool after each allocation for the same reason). Returns 0, or
 * -ENOMEM when __alloc_pages gave up. Process context; may sleep.
 */
export function* radix_tree_preload_wait(ctx: radix_tree_ctx, gfp_mask: number): KGen<number> {
  const slub = ctx.cachep.s.allocator;
  while (ctx.preloads[ctx.k.smp_processor_id()]!.length < RADIX_TREE_MAX_PATH) {
    const obj = yield* slub.kmem_cache_alloc_wait(ctx.cachep, gfp_mask | __GFP_RECLAIMABLE);
    if (obj === 0) {
      ctx.stat.preload_failures++;
      return -ENOMEM;
    }
    ctx.stat.allocated++;
    const pool = ctx.preloads[ctx.k.smp_processor_id()]!;
    // Another task of this CPU may have filled the pool meanwhile: the node goes back, as the
    // kernel frees the node it no longer needs.
    if (pool.length < RADIX_TREE_MAX_PATH) pool.push(obj);
    else {
      kmem_cache_free(ctx.cachep, obj);
      ctx.stat.freed++;
    }
  }
  return 0;
}

/**
 * @kernel lib/radix-tree.c radix_tree_node_alloc
 * A tree whose gfp_mask cannot sleep takes the node from this CPU's preload pool first; otherwise,
 * or with the pool empty, from the slab with the root's gfp_mask. 0 on failure.
 */
function radix_tree_node_alloc(ctx: radix_tree_ctx, root: radix_tree_root): number {
  if (!(root.gfp_mask & __GFP_WAIT)) {
    const pool = ctx.preloads[ctx.k.smp_processor_id()]!;
    const obj = pool.pop();
    if (obj !== undefined) return obj;
  }
  return node_kmem_alloc(ctx, root.gfp_mask);
}

/** @kernel lib/radix-tree.c radix_tree_node_free — straight back to the slab (no RCU delay here). */
function radix_tree_node_free(ctx: radix_tree_ctx, node: radix_tree_node): void {
  kmem_cache_free(ctx.cachep, node.obj);
  ctx.stat.freed++;
  ctx.in_trees--;
}

/**
 * @kernel lib/radix-tree.c radix_tree_extend
 * Grow the tree until `index` fits. An empty tree only records the height; otherwise each new
 * level is a node whose slot 0 holds the old top.
 */
function radix_tree_extend(ctx: radix_tree_ctx, root: radix_tree_root, index: number): number {
  let height = root.height + 1;
  while (index > radix_tree_maxindex(height)) height++;
  const empty = root.height === 0 ? !root.rnode_item : !root.nodes.has(key(root.height, 0));
  if (empty) {
    root.height = height;
    return 0;
  }
  while (root.height < height) {
    const obj = radix_tree_node_alloc(ctx, root);
    if (obj === 0) return -ENOMEM;
    // Slot 0 of the new node holds the old top, or the item that sat in the root (index 0).
    root.nodes.set(key(root.height + 1, 0), { obj, count: 1, lo: root.height === 0 ? 1 : 0, hi: 0 });
    ctx.in_trees++;
    root.height++;
  }
  root.rnode_item = false;
  return 0;
}

/**
 * @kernel lib/radix-tree.c radix_tree_insert
 * Extend the tree if needed, then walk down from the top creating missing nodes (each new node
 * counts in its parent). -EEXIST if the index is present, -ENOMEM if a node could not be had.
 */
export function radix_tree_insert(ctx: radix_tree_ctx, root: radix_tree_root, index: number): number {
  if (!(index >= 0 && index < 2 ** 31)) fail('radix_tree_insert(', root.name, '): index ', index, " outside the model's 31 bits");
  if (index > radix_tree_maxindex(root.height)) {
    const err = radix_tree_extend(ctx, root, index);
    if (err) return err;
  }
  if (root.height === 0) {
    if (root.rnode_item) return -EEXIST;
    root.rnode_item = true;
    return 0;
  }
  const lk = key(1, index);
  let leaf = root.leafKey === lk ? root.leaf : null;
  if (leaf === null) {
    // A leaf in the tree implies all its ancestors are, so the walk is needed only without one.
    let parent: radix_tree_node | null = null;
    for (let level = root.height; level >= 1; level--) {
      const kk = key(level, index);
      let node = root.nodes.get(kk);
      if (node === undefined) {
        const obj = radix_tree_node_alloc(ctx, root);
        if (obj === 0) return -ENOMEM;
        node = { obj, count: 0, lo: 0, hi: 0 };
        root.nodes.set(kk, node);
        ctx.in_trees++;
        if (parent !== null) parent.count++;
      }
      parent = node;
    }
    leaf = parent!;
    root.leafKey = lk;
    root.leaf = leaf;
  }
  if (slot_used(leaf, index)) return -EEXIST;
  slot_flip(leaf, index);
  leaf.count++;
  return 0;
}

/** A node leaves the tree: drop it from the leaf shortcut if it is there. */
function forget_leaf(root: radix_tree_root, node: radix_tree_node): void {
  if (root.leaf === node) {
    root.leaf = null;
    root.leafKey = -1;
  }
}

/**
 * @kernel lib/radix-tree.c radix_tree_shrink
 * While the top node's only used slot is slot 0, drop a level and free the top node.
 */
function radix_tree_shrink(ctx: radix_tree_ctx, root: radix_tree_root): void {
  while (root.height > 0) {
    const top = root.nodes.get(key(root.height, 0))!;
    if (top.count !== 1) break;
    const slot0 = root.height > 1 ? root.nodes.has(key(root.height - 1, 0)) : slot_used(top, 0);
    if (!slot0) break;
    root.nodes.delete(key(root.height, 0));
    forget_leaf(root, top);
    if (root.height === 1) root.rnode_item = true;
    root.height--;
    radix_tree_node_free(ctx, top);
  }
}

/**
 * @kernel lib/radix-tree.c radix_tree_delete
 * Clear the item's slot and free, from the leaf upward, every node left with no used slot; if the
 * top node is left, try to shrink the tree. Returns false if the index was not present.
 */
export function radix_tree_delete(ctx: radix_tree_ctx, root: radix_tree_root, index: number): boolean {
  if (root.height === 0) {
    if (index !== 0 || !root.rnode_item) return false;
    root.rnode_item = false;
    return true;
  }
  if (index > radix_tree_maxindex(root.height)) return false;
  const lk = key(1, index);
  const leaf = root.leafKey === lk ? root.leaf : root.nodes.get(lk);
  if (leaf === undefined || leaf === null || !slot_used(leaf, index)) return false;
  slot_flip(leaf, index);
  for (let level = 1; level <= root.height; level++) {
    const kk = key(level, index);
    const node = level === 1 ? leaf : root.nodes.get(kk);
    if (!(node !== undefined)) fail('radix_tree_delete(', root.name, ', ', index, '): no level-', level, ' node');
    node.count--;
    if (node.count > 0) {
      if (level === 1) {
        root.leafKey = lk;
        root.leaf = leaf;
      }
      if (level === root.height) radix_tree_shrink(ctx, root);
      return true;
    }
    root.nodes.delete(kk);
    forget_leaf(root, node);
    radix_tree_node_free(ctx, node);
  }
  root.height = 0;
  root.rnode_item = false;
  return true;
}

/** Checks every node's count against its used slots (full invariant checks and tests). */
export function radix_tree_check(root: radix_tree_root): void {
  const expect = new Map<number, number>();
  const bump = (kk: number): void => void expect.set(kk, (expect.get(kk) ?? 0) + 1);
  if (root.height === 0) {
    if (!(root.nodes.size === 0)) fail(root.name, ': height 0 with ', root.nodes.size, ' nodes');
    return;
  }
  for (const [kk, node] of root.nodes) {
    if (kk % 8 === 1) expect.set(kk, popcount32(node.lo) + popcount32(node.hi));
    else if (!(node.lo === 0 && node.hi === 0)) fail(root.name, ': interior node ', kk, ' has leaf slots');
  }
  for (let level = 2; level <= root.height; level++) {
    for (const kk of root.nodes.keys()) {
      if (kk % 8 !== level - 1) continue;
      const prefix = Math.floor(kk / 8);
      bump(key(level, prefix * 2 ** (RADIX_TREE_MAP_SHIFT * (level - 1))));
    }
  }
  for (const [kk, node] of root.nodes) {
    if (!(node.count === (expect.get(kk) ?? 0))) fail(root.name, ': node ', kk, ' counts ', node.count, ', slots in use ', expect.get(kk) ?? 0);
    if (!(node.count > 0)) fail(root.name, ': empty node ', kk, ' not freed');
  }
}
