/**
 * The patch's load: "copying kernel trees to tmpfs". Each copy task (`cp`) writes a tree of files
 * into tmpfs: for every file, a size drawn from the kernel-tree mix, one newly allocated page per
 * 4 KiB (GFP_HIGHUSER_MOVABLE, which may enter direct reclaim), then the copy time at the task's
 * bandwidth. When the trees together exceed RAM, tmpfs pages must go to swap.
 *
 * Each file has its own page_tree (radix-tree nodes from radix_tree_node, preloaded before each
 * page is added, as shmem_getpage does).
 *
 * Simplified: the source files are not read from a disk (the copy is CPU time only), inodes and
 * dentries take no memory, and nothing is ever read back. The preload runs after the page
 * allocation rather than before it, so that the page allocation's reclaim makes room for both.
 * The copy time of small files is charged in slices of at least COPY_SLICE_NS (the task runs
 * ahead by less than one slice and then sleeps off what it owes), which keeps a tree of one-page
 * files from costing one engine event per page; a task blocked in reclaim pays its debt after.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { KGen, Task } from '../kernel/task.js';
import { run_for_ns, run_for_ns_inline, run_for_ns_wait } from '../kernel/sched.js';
import { WeightedChoice, type Prng } from '../sim/prng.js';
import { GFP_ATOMIC, GFP_HIGHUSER_MOVABLE } from '../include/gfp.js';
import { shmem_add_written_page, shmem_preload } from '../mm/shmem.js';
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
}

export class CopyWorkload {
  pages_copied = 0;
  files_copied = 0;
  finished = 0;
  /** When a page was last copied, ns (0 before the first): with the last swap write, the exact time of the last forward progress. */
  last_copy_ns = 0;
  /** When the last copy task finished, ns; null while any still runs. */
  finished_ns: number | null = null;
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
  ) {
    this.sizes = new WeightedChoice(p.file_size_mix.map((m) => m.weight));
    this.mixPages = p.file_size_mix.map((m) => Math.max(1, Math.ceil(m.size_bytes / PAGE_SIZE)));
    this.mixCopyNs = p.file_size_mix.map((m) => Math.ceil((m.size_bytes * 1e9) / p.copy_bytes_per_s));
    for (let i = 0; i < p.copies; i++) {
      this.tasks.push(k.kthread_run('cp', i % k.nr_cpu_ids, 0, () => this.cp(i), false));
    }
  }

  get done(): boolean {
    return this.finished === this.p.copies;
  }

  /** One `cp -a` of a tree into tmpfs. */
  private *cp(i: number): KGen {
    const k = this.k;
    const t = k.current;
    t.enter('sys_write');
    yield* run_for_ns(k, i * this.p.start_stagger_ns);
    let remaining = Math.ceil(this.p.tree_bytes / PAGE_SIZE);
    let owed_ns = 0;
    while (remaining > 0) {
      const mix = this.sizes.draw(this.rng);
      const pages = Math.min(remaining, this.mixPages[mix]!);
      t.enter('shmem_getpage');
      // inode_init_once: INIT_RADIX_TREE(&mapping->page_tree, GFP_ATOMIC). A one-page file keeps
      // its page in the root itself and never needs a node, so the model gives it no tree at all.
      const mapping = this.vm.radix !== null && pages > 1 ? new radix_tree_root('tmpfs', GFP_ATOMIC) : null;
      for (let n = 0; n < pages; n++) {
        // The fast path first: no generator is made for a page that is simply there.
        let pfn = this.vm.pa.alloc_pages_fastpath(GFP_HIGHUSER_MOVABLE, 0);
        if (pfn < 0) pfn = yield* this.vm.pa.__alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
        if (pfn < 0) {
          // __alloc_pages gave up (OOM path); try again after a tick, as a retrying writer would.
          k.mark('workload_alloc_failed');
          n--;
          yield* run_for_ns(k, 1_000_000);
          continue;
        }
        while (shmem_preload(this.vm, GFP_HIGHUSER_MOVABLE) !== 0) {
          // The kernel's preload would reclaim here; the model waits a tick and tries again.
          k.mark('workload_preload_failed');
          yield* run_for_ns(k, 1_000_000);
        }
        shmem_add_written_page(this.vm, pfn, mapping, n);
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
    t.leave();
    this.finished++;
    if (this.finished === this.p.copies) this.finished_ns = k.now;
  }
}
