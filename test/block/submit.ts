/** Test helper: one-page bios submitted from a process-context task of a test machine. */
import type { Machine } from '../../src/scenario/machine.js';
import { GFP_NOIO } from '../../src/include/gfp.js';
import { bio_alloc, type bio } from '../../src/block/bio.js';
import { submit_bio } from '../../src/block/blk-core.js';
import type { KGen } from '../../src/kernel/task.js';

/** Allocates a one-page bio at `sector` and submits it in direction `rw` (READ or WRITE). */
export function* submitPage(m: Machine, sector: number, rw: number): KGen {
  const b = (yield* bio_alloc(m.k, m.fs_bio_set, GFP_NOIO, 1)) as bio;
  b.bi_sector = sector;
  b.bi_size = 4096;
  b.bi_vcnt = 1;
  b.bi_end_io = () => {};
  yield* submit_bio(m.q, rw, b);
}
