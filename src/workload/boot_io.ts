/**
 * Boot-time reads: before the copy load starts, one reader per CPU reads a little of the root
 * file system from the same disk, as init, udev and the shell do on every real boot. No
 * kernel runs its first swap-out with slab caches that have never seen I/O: every CPU has, by
 * then, allocated bios, requests, SCSI commands and sense buffers and owns a CPU slab in each of
 * those caches. Without this phase the model would start with the SCSI command and sense caches
 * holding one slab each, frozen on CPU 0 by scsi_setup_command_freelist, and kblockd/1 would find
 * no free object anywhere it may look (SLUB hides another CPU's frozen slab) at the first squeeze,
 * on every profile and variant alike.
 *
 * Each reader allocates its pages (GFP_KERNEL: memory is plentiful at boot), submits one bio per
 * page (GFP_NOIO, as submit_bh does for buffer reads) at consecutive sectors of its own stretch
 * of the root partition, marks the last bio BIO_RW_SYNC (a waiter unplugs the queue: the prep runs
 * in the reader's context, on its CPU), sleeps until all its reads have completed, then frees the
 * pages. What the model keeps from it is the slab state it leaves behind; the data is not used.
 *
 * Simplified: reads carry one page per bio (buffer-head reads; mpage readahead would build
 * multi-page bios), there is no page cache of the root file system (the pages are freed, not kept
 * as clean cache), and the readers run once at boot. Process context; may sleep.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { KGen, Task } from '../kernel/task.js';
import { TASK_UNINTERRUPTIBLE } from '../kernel/task.js';
import { io_schedule } from '../kernel/sched.js';
import { finish_wait, prepare_to_wait, wait_queue_head_t, wake_up } from '../kernel/wait.js';
import { GFP_KERNEL, GFP_NOIO } from '../include/gfp.js';
import { bio, bio_alloc, bio_put, BIO_RW_SYNC, READ } from '../block/bio.js';
import { submit_bio } from '../block/blk-core.js';
import type { VmState } from '../mm/vm_state.js';
import { PAGE_SIZE } from '../mm/page_alloc.js';

export interface BootReadParams {
  /** Pages each CPU's reader reads (0: no boot reads). */
  boot_read_pages: number;
  /** First sector of the root partition the readers read from. */
  root_start_sector: number;
}

export class BootReads {
  readonly tasks: Task[] = [];
  /** Reads submitted and completed, for reports and tests. */
  submitted = 0;
  completed = 0;
  finished = 0;
  private readonly endio: (k: Kernel, b: bio, err: number) => void;

  constructor(
    private readonly k: Kernel,
    private readonly vm: VmState,
    private readonly p: BootReadParams,
  ) {
    // end_bio_bh_io_sync: the read is done; drop the bio and wake the reader that waits for it.
    this.endio = (kk, b) => {
      this.completed++;
      const wq = b.bi_private as { pending: number; wq: wait_queue_head_t };
      wq.pending--;
      bio_put(kk, b);
      wake_up(kk, wq.wq);
    };
    if (p.boot_read_pages <= 0) return;
    for (let cpu = 0; cpu < k.nr_cpu_ids; cpu++) {
      this.tasks.push(k.kthread_run(`bootread/${cpu}`, cpu, 0, () => this.reader(cpu), false));
    }
  }

  /** Have all readers finished (trivially true without boot reads)? */
  get done(): boolean {
    return this.finished === this.tasks.length;
  }

  private *reader(cpu: number): KGen {
    const k = this.k;
    const vm = this.vm;
    const n = this.p.boot_read_pages;
    const t = k.current;
    t.enter('sys_read');
    const state = { pending: 0, wq: new wait_queue_head_t(`bootread/${cpu}`) };
    const pfns: number[] = [];
    let sector = this.p.root_start_sector + cpu * n * (PAGE_SIZE >> 9);
    for (let i = 0; i < n; i++) {
      let pfn = vm.pa.alloc_pages_fastpath(GFP_KERNEL, 0);
      if (pfn < 0) pfn = yield* vm.pa.__alloc_pages(GFP_KERNEL, 0);
      if (pfn < 0) break;
      pfns.push(pfn);
      const b = (yield* bio_alloc(k, vm.fs_bio_set, GFP_NOIO, 1))!;
      b.bi_sector = sector;
      b.bv_page = pfn;
      b.bi_vcnt = 1;
      b.bi_size = PAGE_SIZE;
      b.bi_end_io = this.endio;
      b.bi_private = state;
      if (i === n - 1) b.bi_rw |= 1 << BIO_RW_SYNC;
      sector += PAGE_SIZE >> 9;
      state.pending++;
      this.submitted++;
      yield* submit_bio(vm.swap_q, READ, b);
    }
    // wait_on_buffer for the last read, which the others came before.
    while (state.pending > 0) {
      prepare_to_wait(k, state.wq, TASK_UNINTERRUPTIBLE);
      if (state.pending > 0) yield* io_schedule(k);
      finish_wait(k, state.wq);
    }
    for (const pfn of pfns) vm.pa.__free_pages(pfn, 0);
    t.leave();
    this.finished++;
  }
}
