/**
 * The patch's load: "copying kernel trees to tmpfs". Each copy task (`cp`) writes a tree of files
 * into tmpfs: for every file, a size drawn from the kernel-tree mix, one newly allocated page per
 * 4 KiB (GFP_HIGHUSER_MOVABLE, which may enter direct reclaim), then the copy time at the task's
 * bandwidth. When the trees together exceed RAM, tmpfs pages must go to swap.
 *
 * Every file and directory the copy creates takes a dentry (fs/dcache.c d_alloc, from the lookup)
 * and an inode (mm/shmem.c shmem_alloc_inode), both GFP_KERNEL: about 1 KiB per name, which a
 * tree of small files feels. They stay until the tree is removed.
 *
 * With `rounds` above 1 each task loops as `while :; do cp -a src dst$i; rm -rf dst$i; done`
 * would, for that many copies: before each tree after the first it removes its last one, name by
 * name (fs/namei.c do_unlinkat and do_rmdir, fs/inode.c iput, mm/shmem.c shmem_delete_inode),
 * freeing the files' pages wherever they are, their swap slots, inodes and dentries
 * (mm/shmem.ts shmem_truncate_record). A loop that runs for hours, as the patch's "occasional"
 * livelock suggests, keeps reclaim's first pass over fresh trees going while older trees' pages
 * are still being written. The tree has a directory per `files_per_dir` files
 * (16.8 in v2.6.25: 23810 files in 1417 directories), the first one created before any file.
 *
 * Each file has its own page_tree (radix-tree nodes from radix_tree_node, preloaded before each
 * page is added, as shmem_getpage does), and a file of more than 16 pages its swap vector's index
 * pages (mm/shmem.ts).
 *
 * Simplified: the source files are not read from a disk (the copy is CPU time only), creating a
 * name costs no CPU time of its own, and nothing is ever read back. The preload runs after the page
 * allocation rather than before it, so that the page allocation's reclaim makes room for both; when
 * a node's slab still needs a page, the preload enters reclaim itself, as 2.6.25's does.
 * The copy time of small files is charged in slices of at least COPY_SLICE_NS (the task runs
 * ahead by less than one slice and then sleeps off what it owes), which keeps a tree of one-page
 * files from costing one engine event per page; a task blocked in reclaim pays its debt after.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { KGen, KRest, Task } from '../kernel/task.js';
import { run_for_ns, run_for_ns_inline, run_for_ns_wait } from '../kernel/sched.js';
import { WeightedChoice, type Prng } from '../sim/prng.js';
import { GFP_ATOMIC, GFP_HIGHUSER_MOVABLE } from '../include/gfp.js';
import { SHMEM_DIR_GFP, SHMEM_NR_DIRECT, shmem_add_written_page, shmem_alloc_inode, shmem_alloc_inode_nosleep, shmem_index_pages_before, shmem_preload, shmem_preload_wait, shmem_truncate_record } from '../mm/shmem.js';
import { shmem_records } from '../mm/vm_state.js';
import { d_alloc, d_alloc_nosleep } from '../fs/dcache.js';
import type { kmem_cache, SlubAllocator } from '../mm/slub.js';
import { radix_tree_root } from '../mm/radix-tree.js';
import type { VmState } from '../mm/vm_state.js';

const PAGE_SIZE = 4096;
/** Copy time is charged once at least this much is owed (1 ms: 200 KiB at 200 MiB/s). */
export const COPY_SLICE_NS = 1_000_000;

export interface CopyParams {
  copies: number;
  tree_bytes: number;
  file_size_mix: { size_bytes: number; weight: number }[];
  copy_bytes_per_s: number;
  start_stagger_ns: number;
  /** Files per directory of a tree (a directory is created before each run of this many files). */
  files_per_dir: number;
  /** Trees each task copies one after another, removing the last one first (1: copy once, keep it). */
  rounds?: number;
  /** CPU time of removing one name (unlink or rmdir with its inode, dentry and pages), ns. */
  remove_ns?: number;
}

/** The CPU time of removing one name when the scenario does not say (workload.remove_cost). */
export const REMOVE_NS_DEFAULT = 2_000;

/** The caches that creating a tmpfs name allocates from. */
export interface TmpfsCaches {
  slub: SlubAllocator;
  dentry: kmem_cache;
  inode: kmem_cache;
}

export class CopyWorkload {
  pages_copied = 0;
  files_copied = 0;
  /** Directories created (each with its dentry and inode, as every file has). */
  dirs_created = 0;
  finished = 0;
  /** When a page was last copied, ns (0 before the first): with the last swap write, the exact time of the last forward progress. */
  last_copy_ns = 0;
  /** When the last copy task finished, ns; null while any still runs. */
  finished_ns: number | null = null;
  /** Trees removed (rm -rf) before a task copied its next one (workload.rounds). */
  trees_removed = 0;
  /** Files and directories removed with them. */
  names_removed = 0;
  /**
   * Per task, while `rounds` > 1: what its current tree holds, so that rm -rf can free it. Per name
   * in creation order: its dentry, its inode and its pages (-1 for a directory); its pages' tmpfs
   * records (VmState.shmem_recs) are consecutive from the task's base record. Also the swap-vector
   * index pages of its files.
   */
  private readonly names: number[][] = [];
  private readonly indexPages: number[][] = [];
  private readonly tracking: boolean;
  private readonly treePages: number;
  readonly tasks: Task[] = [];
  private readonly sizes: WeightedChoice;
  /** Per entry of the size mix: its pages and its copy time (ns), worked out once. */
  private readonly mixPages: number[];
  private readonly mixCopyNs: number[];

  constructor(
    private readonly k: Kernel,
    private readonly vm: VmState,
    private readonly p: CopyParams,
    private readonly rng: Prng,
    private readonly fs: TmpfsCaches,
  ) {
    this.sizes = new WeightedChoice(p.file_size_mix.map((m) => m.weight));
    this.mixPages = p.file_size_mix.map((m) => Math.max(1, Math.ceil(m.size_bytes / PAGE_SIZE)));
    this.mixCopyNs = p.file_size_mix.map((m) => Math.ceil((m.size_bytes * 1e9) / p.copy_bytes_per_s));
    this.treePages = Math.ceil(p.tree_bytes / PAGE_SIZE);
    this.tracking = (p.rounds ?? 1) > 1;
    if (this.tracking) vm.shmem_recs = new shmem_records(p.copies * this.treePages, vm.pa.max_pfn);
    for (let i = 0; i < p.copies; i++) {
      this.names.push([]);
      this.indexPages.push([]);
    }
    for (let i = 0; i < p.copies; i++) {
      this.tasks.push(k.kthread_run('cp', i % k.nr_cpu_ids, 0, () => this.cp(i), false));
    }
  }

  get done(): boolean {
    return this.finished === this.p.copies;
  }

  /**
   * The memory of one new name, as sys_open(O_CREAT) or sys_mkdir takes it: the lookup's dentry,
   * then the inode, both GFP_KERNEL. Returns null when neither had to reclaim, else the rest to run,
   * which may sleep: a generator is made only then.
   */
  private create_name_try(i: number): KRest<void> | null {
    const fs = this.fs;
    const d = d_alloc_nosleep(fs.slub, fs.dentry);
    if (d === 0) return this.create_name_rest(i, 0);
    const ino = shmem_alloc_inode_nosleep(fs.slub, fs.inode);
    if (ino === 0) return this.create_name_rest(i, d);
    this.keep_name(i, d, ino);
    return null;
  }

  /** create_name_try's rest: the dentry if it still has to be allocated (d 0), then the inode. */
  private *create_name_rest(i: number, d: number): KRest<void> {
    const fs = this.fs;
    const needDentry = d === 0;
    if (needDentry) d = yield* this.alloc_slow(d_alloc, fs.dentry);
    let ino = needDentry ? shmem_alloc_inode_nosleep(fs.slub, fs.inode) : 0;
    if (ino === 0) ino = yield* this.alloc_slow(shmem_alloc_inode, fs.inode);
    this.keep_name(i, d, ino);
  }

  /** A new file of task i's tree has `pages` pages: note them with its name; returns its first page's record. */
  private track_file(i: number, pages: number, remaining: number): number {
    const names = this.names[i]!;
    names[names.length - 1] = pages;
    return i * this.treePages + (this.treePages - remaining);
  }

  /** Remember a new name of task i's tree (its dentry and inode; pages -1 until a file's size is drawn) for rm -rf. */
  private keep_name(i: number, dentry: number, inode: number): void {
    if (this.tracking) this.names[i]!.push(dentry, inode, -1);
  }

  /**
   * A dentry or inode allocation that has to reclaim: GFP_KERNEL, so it may sleep in direct
   * reclaim. If the page allocator gives up, try again after a tick, as the copy's page
   * allocations do.
   */
  private *alloc_slow(alloc: (slub: SlubAllocator, h: kmem_cache) => KGen<number>, h: kmem_cache): KGen<number> {
    for (;;) {
      const id = yield* alloc(this.fs.slub, h);
      if (id !== 0) return id;
      this.k.mark('workload_name_alloc_failed');
      yield* run_for_ns(this.k, 1_000_000);
    }
  }

  /**
   * A page for the file (a data page, or an index page of its swap vector) when the caller's
   * alloc_pages_fastpath found none: __alloc_pages, which may reclaim. If it gives up (the OOM
   * path), try again after a tick, as a retrying writer would.
   */
  private *alloc_page_slow(gfp: number): KGen<number> {
    const pa = this.vm.pa;
    for (;;) {
      const pfn = yield* pa.__alloc_pages(gfp, 0);
      if (pfn >= 0) return pfn;
      this.k.mark('workload_alloc_failed');
      yield* run_for_ns(this.k, 1_000_000);
      const again = pa.alloc_pages_fastpath(gfp, 0);
      if (again >= 0) return again;
    }
  }

  /** `cp -a` of one tree into tmpfs (task i's current tree). */
  private *copy_tree(i: number): KGen {
    const k = this.k;
    const t = k.current;
    // The outermost frame names the system call under way (set in cp).
    const frames = t.frames;
    let remaining = Math.ceil(this.p.tree_bytes / PAGE_SIZE);
    let owed_ns = 0;
    let files = 0;
    while (remaining > 0) {
      // mkdir: the tree's root first, then one per files_per_dir files. Then the file's own name.
      if (files % this.p.files_per_dir === 0) {
        frames[0] = 'sys_mkdir';
        const rest = this.create_name_try(i);
        if (rest !== null) yield* rest;
        this.dirs_created++;
      }
      files++;
      frames[0] = 'sys_open';
      const rest = this.create_name_try(i);
      if (rest !== null) yield* rest;
      const mix = this.sizes.draw(this.rng);
      const pages = Math.min(remaining, this.mixPages[mix]!);
      // With rm -rf to come: the file's size, and its pages' records from here on (-1: none kept).
      const rec0 = this.tracking ? this.track_file(i, pages, remaining) : -1;
      frames[0] = 'sys_write';
      t.enter('shmem_getpage');
      // inode_init_once: INIT_RADIX_TREE(&mapping->page_tree, GFP_ATOMIC). A one-page file keeps
      // its page in the root itself and never needs a node, so the model gives it no tree at all.
      const mapping = this.vm.radix !== null && pages > 1 ? new radix_tree_root('tmpfs', GFP_ATOMIC) : null;
      for (let n = 0; n < pages; n++) {
        // shmem_swp_alloc: from page 16 on, the file's swap vector needs index pages first.
        // The fast path first: no generator is made for a page that is simply there.
        for (let x = n >= SHMEM_NR_DIRECT ? shmem_index_pages_before(n) : 0; x > 0; x--) {
          let dir = this.vm.pa.alloc_pages_fastpath(SHMEM_DIR_GFP, 0);
          if (dir < 0) dir = yield* this.alloc_page_slow(SHMEM_DIR_GFP);
          if (this.tracking) this.indexPages[i]!.push(dir);
          this.vm.events.shmem_index_pages++;
        }
        let pfn = this.vm.pa.alloc_pages_fastpath(GFP_HIGHUSER_MOVABLE, 0);
        if (pfn < 0) pfn = yield* this.alloc_page_slow(GFP_HIGHUSER_MOVABLE);
        // The preload reclaims if a node's slab needs a page; if even that gives up (shmem_getpage
        // would fail the write with -ENOMEM), the model waits a tick and tries again. The
        // non-sleeping try first saves making a generator per page (shmem_preload_wait repeats it).
        if (shmem_preload(this.vm, GFP_HIGHUSER_MOVABLE) !== 0) {
          while ((yield* shmem_preload_wait(this.vm, GFP_HIGHUSER_MOVABLE)) !== 0) {
            k.mark('workload_preload_failed');
            yield* run_for_ns(k, 1_000_000);
          }
        }
        shmem_add_written_page(this.vm, pfn, mapping, n, rec0 < 0 ? -1 : rec0 + n);
        this.pages_copied++;
        this.last_copy_ns = k.now;
      }
      t.leave();
      remaining -= pages;
      this.files_copied++;
      owed_ns += this.mixCopyNs[mix]!;
      if (owed_ns >= COPY_SLICE_NS || remaining === 0) {
        if (!run_for_ns_inline(k, owed_ns)) yield* run_for_ns_wait(k, owed_ns);
        owed_ns = 0;
      }
    }
  }

  /** One copy task: `cp -a` of a tree into tmpfs, `rounds` times, with `rm -rf` of the last tree before each next one. */
  private *cp(i: number): KGen {
    const k = this.k;
    // The task's outermost frame names the system call it is in: sys_mkdir or sys_open for a name,
    // sys_write for a file's data and the copy time, sys_unlink or sys_rmdir when removing, never
    // one inside another. It is replaced, not pushed and popped, for each call: the copy loop runs
    // it for every file.
    const t = k.current;
    t.enter('sys_write');
    yield* run_for_ns(k, i * this.p.start_stagger_ns);
    const rounds = this.p.rounds ?? 1;
    for (let round = 0; round < rounds; round++) {
      if (round > 0) yield* this.rm_tree(i);
      yield* this.copy_tree(i);
    }
    t.leave();
    this.finished++;
    if (this.finished === this.p.copies) this.finished_ns = k.now;
  }

  /**
   * `rm -rf` of task i's tree, name by name in the order they were made: a file's unlink frees its
   * pages wherever they are (shmem_truncate_record: page cache, swap cache, swap), then its inode
   * and its dentry; a directory frees its inode and dentry. Afterwards the files' swap-vector index
   * pages go. Each name costs `remove_ns` of CPU time, charged in slices as the copy's is.
   * Simplified: the dentry is freed at once (2.6.25's d_free of a hashed dentry waits for an RCU
   * grace period), files are removed in creation order, and the inode's own teardown costs
   * nothing beyond `remove_ns`.
   */
  private *rm_tree(i: number): KGen {
    const k = this.k;
    const frames = k.current.frames;
    const vm = this.vm;
    const fs = this.fs;
    const names = this.names[i]!;
    const remove_ns = this.p.remove_ns ?? REMOVE_NS_DEFAULT;
    let rec = i * this.treePages;
    let owed_ns = 0;
    for (let j = 0; j < names.length; j += 3) {
      const pages = names[j + 2]!;
      frames[0] = pages < 0 ? 'sys_rmdir' : 'sys_unlink';
      // iput -> shmem_delete_inode: truncate_inode_pages and shmem_truncate, then destroy_inode.
      for (let n = 0; n < pages; n++) shmem_truncate_record(vm, rec++);
      fs.slub.kmem_cache_free(fs.inode, names[j + 1]!);
      fs.slub.kmem_cache_free(fs.dentry, names[j]!);
      this.names_removed++;
      owed_ns += remove_ns;
      if (owed_ns >= COPY_SLICE_NS || j + 3 >= names.length) {
        if (!run_for_ns_inline(k, owed_ns)) yield* run_for_ns_wait(k, owed_ns);
        owed_ns = 0;
      }
    }
    // shmem_truncate's shmem_dir_free: the swap vectors' index pages.
    for (const pfn of this.indexPages[i]!) vm.pa.put_page(pfn);
    vm.events.shmem_index_pages -= this.indexPages[i]!.length;
    this.indexPages[i]!.length = 0;
    names.length = 0;
    this.trees_removed++;
  }
}
