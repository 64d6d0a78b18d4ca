import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REQ_STARTED, request, type request_queue } from '../../src/block/blk-core.js';
import { elevator_queue, elv_rqhash_add, elv_rqhash_del, elv_rqhash_find, elv_rqhash_reposition } from '../../src/block/elevator.js';

// The hash only looks at a request's sectors, flags and prep state; no queue is needed.
const noQueue = {} as request_queue;

function rq(sector: number, nr_sectors: number): request {
  const r = new request(noQueue);
  r.sector = sector;
  r.nr_sectors = nr_sectors;
  return r;
}

function chainLength(e: elevator_queue): number {
  let n = 0;
  for (const head of e.hash) for (let r = head; r !== null; r = r.hash_next) n++;
  return n;
}

test('elv_rqhash: a request is found by its end sector, and not by any other', () => {
  const e = new elevator_queue();
  const a = rq(1000, 8);
  elv_rqhash_add(e, a);
  assert.equal(elv_rqhash_find(e, 1008), a);
  assert.equal(elv_rqhash_find(e, 1000), null);
  assert.equal(elv_rqhash_find(e, 1016), null);
  assert.equal(a.hash_bucket >= 0, true);
});

test('elv_rqhash_reposition: after a back merge the request is found at its new end only', () => {
  const e = new elevator_queue();
  const a = rq(1000, 8);
  elv_rqhash_add(e, a);
  a.nr_sectors += 8;
  elv_rqhash_reposition(e, a);
  assert.equal(elv_rqhash_find(e, 1016), a);
  assert.equal(elv_rqhash_find(e, 1008), null);
  assert.equal(chainLength(e), 1, 'no stale entry left behind');
});

test('elv_rqhash: requests with the same end sector are kept, newest first; deleting one leaves the other', () => {
  const e = new elevator_queue();
  const older = rq(1000, 8);
  const newer = rq(1004, 4);
  elv_rqhash_add(e, older);
  elv_rqhash_add(e, newer);
  assert.equal(elv_rqhash_find(e, 1008), newer);
  elv_rqhash_del(e, newer);
  assert.equal(elv_rqhash_find(e, 1008), older);
  elv_rqhash_del(e, older);
  assert.equal(elv_rqhash_find(e, 1008), null);
  assert.equal(chainLength(e), 0);
  // Deleting an unhashed request is a no-op, as ELV_ON_HASH guards it in the kernel.
  elv_rqhash_del(e, older);
  assert.equal(older.hash_bucket, -1);
});

test('elv_rqhash_find drops unmergeable requests from the chain on the way (lazily, as the kernel does)', () => {
  const e = new elevator_queue();
  const merged = rq(2000, 8);
  const started = rq(3000, 8);
  // Same bucket as `merged` (the same sector >> 3 low bits), so the walk passes it first.
  const sameBucket = rq(2000 + 64 * 8, 8);
  elv_rqhash_add(e, merged);
  elv_rqhash_add(e, sameBucket);
  elv_rqhash_add(e, started);
  started.cmd_flags |= REQ_STARTED;
  sameBucket.special = {};
  assert.equal(sameBucket.hash_bucket, merged.hash_bucket, 'the test needs both in one chain');
  assert.equal(elv_rqhash_find(e, 2008), merged);
  assert.equal(sameBucket.hash_bucket, -1, 'the prepared request was unhashed by the walk');
  assert.equal(elv_rqhash_find(e, 3008), null, 'a started request is never a merge candidate');
  assert.equal(started.hash_bucket, -1);
  assert.equal(chainLength(e), 1);
});
