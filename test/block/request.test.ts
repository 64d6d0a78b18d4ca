import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootMachine } from '../../src/scenario/machine.js';
import { DEFAULT_PARAMS } from '../../src/scenario/params.js';
import { GFP_NOIO } from '../../src/include/gfp.js';
import { READ, WRITE } from '../../src/block/bio.js';
import { __blk_put_request, get_request, type request } from '../../src/block/blk-core.js';
import { TASK_UNINTERRUPTIBLE, type KGen } from '../../src/kernel/task.js';
import { io_schedule } from '../../src/kernel/sched.js';
import { finish_wait, prepare_to_wait_exclusive } from '../../src/kernel/wait.js';

const MiB = 1024 * 1024;

/** A reader asleep on the READ request list, and a write request freed while reads are (not) starved. */
function freeWriteWithReaderWaiting(starved: boolean): string[] {
  const m = bootMachine({ ...DEFAULT_PARAMS, ram_bytes: 128 * MiB, copies: 0, boot_read_pages: 0 });
  const q = m.q;
  const woke: string[] = [];
  m.k.kthread_run('reader', 0, 0, function* (): KGen {
    prepare_to_wait_exclusive(m.k, q.rq.wait[READ]!, TASK_UNINTERRUPTIBLE);
    yield* io_schedule(m.k);
    finish_wait(m.k, q.rq.wait[READ]!);
    woke.push('reader');
  });
  let rq: request | null = null;
  m.k.kthread_run('writer', 1, 0, function* (): KGen {
    rq = yield* get_request(q, WRITE, GFP_NOIO);
  });
  m.k.sim.run({ untilNs: 1000 });
  assert.ok(rq !== null);
  assert.equal(q.rq.wait[READ]!.waiters, 1);
  q.rq.starved[READ] = starved ? 1 : 0;
  __blk_put_request(q, rq);
  m.k.sim.run({ untilNs: 2000 });
  return woke;
}

test('freed_request: a freed write request wakes a READ waiter when reads are starved (__freed_request for rw ^ 1)', () => {
  assert.deepEqual(freeWriteWithReaderWaiting(true), ['reader']);
});

test('freed_request: without starvation a freed write request leaves the READ waiters asleep', () => {
  assert.deepEqual(freeWriteWithReaderWaiting(false), []);
});
