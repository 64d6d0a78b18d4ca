/**
 * tmpfs pages: adding a written page to the page cache, shmem_writepage moving it to swap, and
 * removing a file's pages when the file is deleted.
 *
 * Mirrors: mm/shmem.c (shmem_getpage's page-cache insertion for a write, shmem_writepage,
 * shmem_truncate_range's shmem_free_swp), mm/swap_state.c (add_to_swap_cache,
 * __delete_from_swap_cache, delete_from_swap_cache), mm/truncate.c (truncate_inode_pages for one
 * page) and mm/swapfile.c (free_swap_and_cache, remove_exclusive_swap_page) and include/linux/swap.h
 * (vm_swap_full), v2.6.25.
 *
 * In 2.6.25 shmem_writepage does not start I/O: it moves the page into the swap cache and leaves
 * it dirty, so a later reclaim pass writes it with swap_writepage. Every tmpfs page passes through
 * reclaim twice before its bio is allocated.
 *
 * add_to_swap_cache inserts the page into the swap cache's radix tree (radix-tree.ts) after a
 * radix_tree_preload with shmem_writepage's GFP_ATOMIC, which carries no __GFP_NOMEMALLOC: in a
 * reclaimer those node allocations may use ALLOC_NO_WATERMARKS. A failed preload or insert makes
 * shmem_writepage give the slot back and redirty the page, as 2.6.25 does.
 *
 * Each tmpfs file has its own page_tree (INIT_RADIX_TREE with GFP_ATOMIC, as inode_init_once sets
 * it). shmem_getpage preloads its nodes while it can wait, at ordinary watermarks, and
 * remove_from_page_cache frees them as the file's pages move to the swap cache: with a kernel
 * tree's file sizes the swap cache's nodes are paid for, more than in full, by the files' nodes
 * going back to the same cache. A one-page file (the flagship's trees) keeps its page in the root
 * and has no node to give back. A page names its file through pa.page_mapping, as a number into
 * VmState.mappings (the model's page->mapping), which holds only the files with pages in the page
 * cache.
 *
 * Each file and directory has its inode, a shmem_inode_info from shmem_inode_cache (GFP_KERNEL,
 * may reclaim), freed when the workload removes the file (workload.rounds above 1).
 *
 * A file's swap vector holds SHMEM_NR_DIRECT (16) entries in the inode; from page 16 on, writing
 * the file allocates index pages for it (shmem_swp_alloc, before the data page): the indirect page
 * and one page of entries per 512 pages, plus one more level beyond 512 MiB. They are unmovable
 * GFP_HIGHUSER pages (may reclaim) and stay until the file is removed.
 *
 * Removing files. While the workload never deletes (the default), a swap entry is only the slot's
 * extra reference (swap_duplicate) and nothing records which file holds it. When it does
 * (workload.rounds above 1), VmState.shmem_recs records each page of each file, in memory and on
 * swap, as the inode's page_tree and swap vector do, and shmem_truncate_record frees one wherever
 * it is: a page in the page cache or swap cache that only its caches hold is freed, one that a
 * reclaimer holds isolated is left to it (it frees the page at putback), and a swap-cache page
 * under writeback or locked keeps its slot until reclaim frees it after the write, or drops it
 * unwritten (remove_exclusive_swap_page in swap_writepage).
 *
 * Simplified: index pages are counted, not filled; files are never read back (no swap-in); the
 * tmpfs mount is taken to have size= and nr_inodes= large enough for the load (2.6.25's
 * defaults, half of RAM and totalram_pages / 2 inodes, are not enforced); truncation takes no page
 * lock (it leaves a locked page alone, as free_swap_and_cache's trylock does); shmem_writepage does
 * not put the inode on the tmpfs swap list (shmem_swaplist under shmem_swaplist_mutex, a sleeping
 * lock only contended when two reclaimers swap out a file's first page at the same instant, or
 * one does while files are removed). shmem_alloc_inode
 * may sleep; everything else here runs in process context with the page locked and never sleeps.
 */
import { PG_dirty, PG_locked, PG_lru, PG_swapcache, PG_uptodate, PG_writeback, PAGE_USE_OTHER, PAGE_USE_PAGECACHE, PAGE_USE_SWAPCACHE, PageFlag, SetPageFlag, ClearPageFlag } from '../include/page-flags.js';
import { del_page_from_lru, lru_cache_add } from './swap.js';
import { get_swap_page, swap_duplicate, swap_free } from './swapfile.js';
import { mod_page_state, type VmState } from './vm_state.js';
import { NR_FILE_PAGES } from './page_alloc.js';
import { GFP_ATOMIC, GFP_HIGHUSER_PAGECACHE, GFP_KERNEL, GFP_MOVABLE_MASK, __GFP_HIGHMEM, __GFP_ZERO } from '../include/gfp.js';
import { SLAB_PANIC } from '../include/slab.js';
import type { KGen } from '../kernel/task.js';
import type { kmem_cache, SlubAllocator } from './slub.js';
import { fail } from '../sim/assert.js';
import { radix_tree_delete, radix_tree_insert, radix_tree_preload, radix_tree_preload_nosleep, radix_tree_preload_wait, type radix_tree_root } from './radix-tree.js';

/** Return values of writepage / pageout. */
export const AOP_WRITEPAGE_ACTIVATE = 0x80000;

/**
 * sizeof(struct shmem_inode_info) on x86_64 in 2.6.25 (defconfig with SLUB: the struct inode of
 * 536 bytes at offset 208); SLUB stores it in 768 bytes, 5 to a page, because init_once moves the
 * free pointer past the object.
 */
export const SIZEOF_SHMEM_INODE_INFO = 760;

/**
 * @kernel mm/shmem.c init_inodecache
 * shmem_inode_cache: SLAB_PANIC and the init_once constructor, so SLUB never merges it.
 */
export function init_inodecache(slub: SlubAllocator): kmem_cache {
  // init_once initialises the inode's fields; the model's objects carry no data.
  return slub.kmem_cache_create('shmem_inode_cache', SIZEOF_SHMEM_INODE_INFO, 0, SLAB_PANIC, () => {});
}

/**
 * @kernel mm/shmem.c shmem_alloc_inode (as far as it does not sleep)
 * Returns the inode's object id, or 0 when the allocation would have to reclaim: then call
 * shmem_alloc_inode.
 */
export function shmem_alloc_inode_nosleep(slub: SlubAllocator, inode_cache: kmem_cache): number {
  return slub.kmem_cache_alloc_nosleep(inode_cache, GFP_KERNEL);
}

/**
 * @kernel mm/shmem.c shmem_alloc_inode (via shmem_get_inode, new_inode, alloc_inode)
 * kmem_cache_alloc(shmem_inode_cachep, GFP_KERNEL): may sleep in direct reclaim for the slab's
 * page. Returns the object id, or 0 if the page allocator gave up.
 */
export function* shmem_alloc_inode(slub: SlubAllocator, inode_cache: kmem_cache): KGen<number> {
  const t = slub.k.current;
  t.enter('shmem_get_inode');
  const id = yield* slub.kmem_cache_alloc_wait(inode_cache, GFP_KERNEL);
  t.leave();
  return id;
}

/** SHMEM_NR_DIRECT: swap entries kept in the inode itself (include/linux/shmem_fs.h). */
export const SHMEM_NR_DIRECT = 16;
/** ENTRIES_PER_PAGE: swap entries (or page pointers) in one index page. */
const ENTRIES_PER_PAGE = 512;

/**
 * @kernel mm/shmem.c shmem_swp_entry, shmem_swp_alloc (SGP_WRITE)
 * How many index pages shmem_swp_alloc allocates before page `index` of a file written from its
 * start, one page after another: none below SHMEM_NR_DIRECT; the indirect page and the first page
 * of entries at SHMEM_NR_DIRECT; a page of entries every ENTRIES_PER_PAGE pages after that; and
 * past the first ENTRIES_PER_PAGE / 2 such pages, a middle page for every ENTRIES_PER_PAGE pages
 * of entries as well.
 */
export function shmem_index_pages_before(index: number): number {
  if (index < SHMEM_NR_DIRECT) return 0;
  const i = index - SHMEM_NR_DIRECT;
  if (i % ENTRIES_PER_PAGE !== 0) return 0;
  const dir = i / ENTRIES_PER_PAGE;
  if (dir === 0) return 2;
  if (dir < ENTRIES_PER_PAGE / 2) return 1;
  return (dir - ENTRIES_PER_PAGE / 2) % ENTRIES_PER_PAGE === 0 ? 2 : 1;
}

/**
 * @kernel mm/shmem.c shmem_dir_alloc
 * The gfp of an index page: the mapping's, without mobility flags (swap vectors cannot move),
 * zeroed.
 */
export const SHMEM_DIR_GFP = (GFP_HIGHUSER_PAGECACHE & ~GFP_MOVABLE_MASK) | __GFP_ZERO;

/**
 * @kernel mm/shmem.c shmem_getpage (the radix_tree_preload "while we can wait")
 * Fill this CPU's node pool for the insert that follows, with the mapping's gfp less __GFP_HIGHMEM,
 * as far as that needs no sleep: 0, or -ENOMEM when a node's slab page would need more than
 * __alloc_pages' first pass, and then the caller finishes with shmem_preload_wait.
 */
export function shmem_preload(vm: VmState, gfp: number): number {
  if (vm.radix === null) return 0;
  return radix_tree_preload_nosleep(vm.radix, gfp & ~__GFP_HIGHMEM);
}

/**
 * @kernel mm/shmem.c shmem_getpage (the radix_tree_preload "while we can wait", sleeping)
 * The rest of shmem_preload: a node's slab page from __alloc_pages, which may enter direct
 * reclaim with the writer as a PF_MEMALLOC reclaimer. 0, or -ENOMEM when __alloc_pages gave up.
 */
export function* shmem_preload_wait(vm: VmState, gfp: number): KGen<number> {
  if (vm.radix === null) return 0;
  return yield* radix_tree_preload_wait(vm.radix, gfp & ~__GFP_HIGHMEM);
}

/**
 * @kernel mm/shmem.c shmem_getpage (SGP_WRITE, new page: add_to_page_cache_lru) + set_page_dirty
 * A freshly written tmpfs page: in the file's page cache at `index` (the node comes from this
 * CPU's pool, filled by the caller's one preload; add_to_page_cache's second preload, with
 * GFP_NOWAIT, is not modelled), up to date, dirty, on the inactive LRU.
 */
export function shmem_add_written_page(vm: VmState, pfn: number, mapping: radix_tree_root | null = null, index = 0, rec = -1): void {
  const pa = vm.pa;
  const recs = vm.shmem_recs;
  if (recs !== null && rec >= 0) {
    recs.pfn[rec] = pfn;
    recs.page_rec[pfn] = rec;
  }
  if (mapping !== null && vm.radix !== null) {
    const err = radix_tree_insert(vm.radix, mapping, index);
    if (!(err === 0)) fail('add_to_page_cache: radix_tree_insert(', index, ') = ', err, ' after a preload');
    if (mapping.mapping_id < 0) {
      const id = vm.free_mapping_ids.pop() ?? vm.mappings.length;
      vm.mappings[id] = mapping;
      mapping.mapping_id = id;
    }
    pa.page_mapping[pfn] = mapping.mapping_id;
    pa.page_index[pfn] = index;
  }
  pa.set_page_use(pfn, 0, PAGE_USE_PAGECACHE);
  SetPageFlag(pa.page_flags, pfn, PG_uptodate);
  // set_page_dirty is __set_page_dirty_no_writeback for tmpfs: the flag only. shmem_backing_dev_info
  // has BDI_CAP_NO_ACCT_DIRTY, so NR_FILE_DIRTY (meminfo's Dirty) never counts a tmpfs page.
  SetPageFlag(pa.page_flags, pfn, PG_dirty);
  mod_page_state(vm, pfn, NR_FILE_PAGES, 1);
  lru_cache_add(vm.lru, pa.page_zone(pfn).idx, pfn);
}

/**
 * @kernel mm/filemap.c remove_from_page_cache (the radix-tree part, __remove_from_page_cache)
 * Take a tmpfs page out of its file's page_tree (freeing the nodes left empty); a file with no page
 * left in memory gives its number in VmState.mappings back. A one-page file has no tree.
 */
function page_tree_delete(vm: VmState, pfn: number): void {
  const pa = vm.pa;
  const id = pa.page_mapping[pfn]!;
  if (id < 0) return;
  const mapping = vm.mappings[id]!;
  radix_tree_delete(vm.radix!, mapping, pa.page_index[pfn]!);
  pa.page_mapping[pfn] = -1;
  pa.page_index[pfn] = 0;
  if (mapping.height === 0 && !mapping.rnode_item) {
    // The file has no page left in memory: its number goes back for another file.
    vm.mappings[id] = null;
    vm.free_mapping_ids.push(id);
    mapping.mapping_id = -1;
  }
}

/**
 * @kernel mm/shmem.c shmem_writepage
 * Take a swap slot, move the page from the tmpfs page cache into the swap cache (the inode keeps
 * a reference to the slot), and leave it dirty for a later pass. No swap space: redirty and ask
 * reclaim to activate the page.
 */
export function shmem_writepage(vm: VmState, pfn: number): number {
  const swap = get_swap_page(vm.si);
  if (!swap) {
    vm.k.mark('shmem_no_swap');
    return AOP_WRITEPAGE_ACTIVATE;
  }
  if (add_to_swap_cache(vm, swap, GFP_ATOMIC) !== 0) {
    // The preload or the insert failed: give the slot back and keep the page dirty in tmpfs.
    swap_free(vm.si, swap);
    vm.k.mark('shmem_add_to_swap_cache_enomem');
    return AOP_WRITEPAGE_ACTIVATE;
  }
  const pa = vm.pa;
  vm.pa.page_private[pfn] = swap;
  SetPageFlag(pa.page_flags, pfn, PG_swapcache);
  pa.set_page_use(pfn, 0, PAGE_USE_SWAPCACHE);
  // remove_from_page_cache (freeing the file's emptied nodes); the inode's swap vector holds the
  // second reference.
  page_tree_delete(vm, pfn);
  // remove_from_page_cache takes the page out of NR_FILE_PAGES and add_to_swap_cache puts it back:
  // swap-cache pages count there too.
  swap_duplicate(vm.si, swap);
  const recs = vm.shmem_recs;
  if (recs !== null) {
    // shmem_swp_entry: the swap vector's entry for this page now names the slot.
    const rec = recs.page_rec[pfn]!;
    if (rec >= 0) recs.swap[rec] = swap;
  }
  // set_page_dirty: it already is.
  vm.events.shmem_to_swapcache++;
  return 0;
}

/**
 * @kernel mm/swap_state.c add_to_swap_cache
 * The radix-tree part: preload this CPU's node pool with `gfp_mask`, then insert the slot into
 * swapper_space. Returns 0 or a negative errno (-ENOMEM, -EEXIST). The caller sets the page
 * flags on success.
 */
export function add_to_swap_cache(vm: VmState, swap: number, gfp_mask: number): number {
  if (vm.radix === null) {
    vm.events.swap_cache_add_total++;
    return 0;
  }
  const err = radix_tree_preload(vm.radix, gfp_mask);
  if (err) return err;
  const r = radix_tree_insert(vm.radix, vm.swapper_space, swap);
  if (r === 0) vm.events.swap_cache_add_total++;
  return r;
}

/**
 * @kernel mm/swap_state.c delete_from_swap_cache
 * Drop the swap cache's reference to the slot; the tmpfs inode's reference keeps the data on swap.
 */
export function delete_from_swap_cache(vm: VmState, pfn: number): void {
  const pa = vm.pa;
  const swap = vm.pa.page_private[pfn]!;
  vm.pa.page_private[pfn] = 0;
  vm.events.swap_cache_del_total++;
  // __delete_from_swap_cache: out of swapper_space, freeing the nodes left empty.
  if (vm.radix !== null) radix_tree_delete(vm.radix, vm.swapper_space, swap);
  mod_page_state(vm, pfn, NR_FILE_PAGES, -1);
  ClearPageFlag(pa.page_flags, pfn, PG_swapcache);
  swap_free(vm.si, swap);
  const recs = vm.shmem_recs;
  if (recs !== null) {
    // The page leaves memory; the file's record keeps its swap entry.
    const rec = recs.page_rec[pfn]!;
    if (rec >= 0) {
      recs.pfn[rec] = -1;
      recs.page_rec[pfn] = -1;
    }
  }
}

/**
 * @kernel include/linux/swap.h vm_swap_full
 * Swap more than half full: then a swap-cache page whose slot no one else holds is dropped even if
 * someone else has the page.
 */
function vm_swap_full(vm: VmState): boolean {
  return (vm.si.pages - vm.si.inuse_pages) * 2 < vm.si.pages;
}

/**
 * A page that truncation took out of every cache and off the LRU goes back to the allocator:
 * page_cache_release's last put (hot), or a reclaimer's cold pagevec release (release_pages).
 */
function release_truncated_page(vm: VmState, pfn: number, cold = false): void {
  const pa = vm.pa;
  if (PageFlag(pa.page_flags, pfn, PG_lru)) del_page_from_lru(vm.lru, pa.page_zone(pfn).idx, pfn);
  pa.page_flags[pfn] = 0;
  pa.put_page(pfn, cold);
}

/**
 * @kernel mm/vmscan.c shrink_inactive_list, shrink_active_list (the putback's pagevec release)
 * The reclaimer putting back a page that truncation orphaned (orphan_isolated_page) held the last
 * reference: the page is freed instead of listed, cold, as the putback's pagevec (initialised
 * cold) releases it. Simplified: freed at once, not when the pagevec fills or the putback ends.
 */
export function shmem_release_orphan(vm: VmState, pfn: number): void {
  vm.events.shmem_orphans_live--;
  release_truncated_page(vm, pfn, true);
}

/**
 * A page that truncation took out of every cache while a reclaimer holds it isolated: it belongs to
 * no one but that reclaimer now, which frees it when it puts its batch back (in 2.6.25 the
 * reclaimer's reference is the last one, dropped by the putback's pagevec release). The model marks
 * it PAGE_USE_OTHER, which no page on an LRU list otherwise has.
 */
function orphan_isolated_page(vm: VmState, pfn: number): void {
  const pa = vm.pa;
  vm.k.mark('shmem_orphaned_isolated_page');
  // shmem_release_orphan undoes the live count when the reclaimer puts the page back.
  vm.events.shmem_orphans++;
  vm.events.shmem_orphans_live++;
  ClearPageFlag(pa.page_flags, pfn, PG_dirty);
  pa.set_page_use(pfn, 0, PAGE_USE_OTHER);
}

/**
 * @kernel mm/truncate.c truncate_inode_pages (one page of a tmpfs file: truncate_complete_page),
 * mm/shmem.c shmem_truncate_range (shmem_free_swp for the swap vector's entry),
 * mm/swapfile.c free_swap_and_cache
 * Delete one page of a file being removed, wherever it is. In the page cache: out of the file's
 * page_tree and NR_FILE_PAGES (cancel_dirty_page), and freed unless a reclaimer holds it isolated.
 * Given a swap entry: the inode's reference to the slot goes; a swap-cache page for it that is on
 * the LRU (only the swap cache holds it), or any when swap is more than half full, not locked and
 * not under writeback, leaves the swap cache and is freed. Otherwise the swap cache keeps the page,
 * now the slot's only user: reclaim drops it later without writing it (remove_exclusive_swap_page)
 * or, under writeback, frees it when the write is done.
 * Simplified: the page lock is not taken (the model is atomic between sleeps; a page reclaim holds
 * locked is left alone, as free_swap_and_cache's trylock does).
 */
export function shmem_truncate_record(vm: VmState, rec: number): void {
  const recs = vm.shmem_recs;
  if (recs === null) fail('shmem_truncate_record: no tmpfs records (workload.rounds is 1)');
  const pa = vm.pa;
  const pfn = recs.pfn[rec]!;
  const swap = recs.swap[rec]!;
  recs.pfn[rec] = -1;
  recs.swap[rec] = 0;
  if (pfn >= 0) recs.page_rec[pfn] = -1;
  if (swap === 0) {
    if (pfn < 0) return;
    if (pa.page_use[pfn] !== PAGE_USE_PAGECACHE) fail('shmem_truncate_record: record ', rec, ' names pfn ', pfn, ', which is not in the page cache');
    page_tree_delete(vm, pfn);
    mod_page_state(vm, pfn, NR_FILE_PAGES, -1);
    if (PageFlag(pa.page_flags, pfn, PG_lru)) release_truncated_page(vm, pfn);
    else orphan_isolated_page(vm, pfn);
    return;
  }
  // shmem_free_swp -> free_swap_and_cache: the swap vector's reference first.
  swap_free(vm.si, swap);
  if (pfn < 0) return;
  if (pa.page_use[pfn] !== PAGE_USE_SWAPCACHE || pa.page_private[pfn] !== swap) fail('shmem_truncate_record: record ', rec, ' names pfn ', pfn, ', which does not hold slot ', swap);
  const f = pa.page_flags;
  const isolated = !PageFlag(f, pfn, PG_lru);
  if (PageFlag(f, pfn, PG_locked) || PageFlag(f, pfn, PG_writeback) || (isolated && !vm_swap_full(vm))) {
    vm.k.mark('shmem_truncate_left_in_swap_cache');
    return;
  }
  delete_from_swap_cache(vm, pfn);
  ClearPageFlag(f, pfn, PG_dirty);
  if (isolated) orphan_isolated_page(vm, pfn);
  else release_truncated_page(vm, pfn);
}

/**
 * @kernel mm/swapfile.c remove_exclusive_swap_page (as swap_writepage calls it first)
 * A dirty swap-cache page whose slot only the swap cache holds (its file was removed) is not
 * written: it leaves the swap cache, and the reclaimer holding it frees it at putback. Returns
 * true if so. Only runs whose files are removed can have such a page, so swap_writepage calls this
 * only when VmState.shmem_recs is kept. The kernel's page_count == 2 and PageWriteback tests always
 * hold there (the page is locked and isolated by the reclaimer, not under writeback).
 */
export function remove_exclusive_swap_page(vm: VmState, pfn: number): boolean {
  const swap = vm.pa.page_private[pfn]!;
  if (vm.si.swap_map[swap] !== 1) return false;
  vm.k.mark('remove_exclusive_swap_page');
  delete_from_swap_cache(vm, pfn);
  orphan_isolated_page(vm, pfn);
  return true;
}

/**
 * Checks the swap slots' use counts against their holders when tmpfs records are kept (full
 * invariant checks): each slot's swap_map count is one per swap-cache page holding it plus one per
 * file record naming it, every record's page is a tmpfs page naming that record back, and
 * inuse_pages counts the slots in use. Returns null or what is wrong; null without records.
 */
export function swap_refs_check(vm: Pick<VmState, 'pa' | 'si' | 'shmem_recs'>): string | null {
  const recs = vm.shmem_recs;
  if (recs === null) return null;
  const pa = vm.pa;
  const si = vm.si;
  const refs = new Uint16Array(si.max);
  for (let pfn = 0; pfn < pa.max_pfn; pfn++) {
    if (pa.page_use[pfn] === PAGE_USE_SWAPCACHE) refs[pa.page_private[pfn]!]!++;
    const rec = recs.page_rec[pfn]!;
    if (rec >= 0 && recs.pfn[rec] !== pfn) return `pfn ${pfn} names record ${rec}, which names pfn ${recs.pfn[rec]}`;
  }
  for (let rec = 0; rec < recs.pfn.length; rec++) {
    const pfn = recs.pfn[rec]!;
    if (pfn >= 0 && recs.page_rec[pfn] !== rec) return `record ${rec} names pfn ${pfn}, which names record ${recs.page_rec[pfn]}`;
    if (recs.swap[rec]) refs[recs.swap[rec]!]!++;
  }
  let inuse = 0;
  for (let slot = 1; slot < si.max; slot++) {
    if (si.swap_map[slot] !== refs[slot]) return `swap slot ${slot}: swap_map ${si.swap_map[slot]}, but ${refs[slot]} holders (swap cache and files)`;
    if (refs[slot]) inuse++;
  }
  if (inuse !== si.inuse_pages) return `${inuse} swap slots in use, inuse_pages ${si.inuse_pages}`;
  return null;
}

/**
 * Checks the table of tmpfs page_trees (full invariant checks and tests): every page-cache page
 * that names a file names a tree in the table, every tree in the table has a page naming it and
 * knows its own number, and a number given back holds no tree. Returns null or what is wrong.
 */
export function mapping_check(vm: Pick<VmState, 'pa' | 'mappings' | 'free_mapping_ids'>): string | null {
  const pa = vm.pa;
  const pages = new Int32Array(vm.mappings.length);
  for (let pfn = 0; pfn < pa.max_pfn; pfn++) {
    if (pa.page_use[pfn] !== PAGE_USE_PAGECACHE) continue;
    const id = pa.page_mapping[pfn]!;
    if (id < 0) continue;
    if (id >= vm.mappings.length || vm.mappings[id] === null) return `pfn ${pfn}: page->mapping ${id} names no file's page_tree`;
    pages[id]!++;
  }
  for (let id = 0; id < vm.mappings.length; id++) {
    const t = vm.mappings[id];
    if (t === null || t === undefined) continue;
    if (t.mapping_id !== id) return `mapping ${id}: its tree says it is number ${t.mapping_id}`;
    if (pages[id] === 0) return `mapping ${id}: in the table, but no page-cache page names it`;
  }
  for (const id of vm.free_mapping_ids) if (vm.mappings[id] !== null) return `mapping ${id}: given back, but the table still holds a tree there`;
  return null;
}
