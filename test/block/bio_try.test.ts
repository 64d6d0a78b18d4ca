import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GFP_ATOMIC, GFP_NOIO } from '../../src/include/gfp.js';
import { TASK_UNINTERRUPTIBLE } from '../../src/kernel/task.js';
import { mempool_alloc_first, mempool_create, mempool_free, type mempool_t } from '../../src/mm/mempool.js';
import { bio, bio_alloc, bio_alloc_try, bio_set } from '../../src/block/bio.js';
import { machine } from '../mm/helpers.js';

/** A pool over a backing allocator the test switches on and off. */
function switchable(k: Parameters<typeof mempool_create>[0], name: string): { pool: mempool_t; backing: { ok: boolean; next: number } } {
  const backing = { ok: true, next: name === 'bio' ? 100 : 200 };
  const pool = mempool_create(k, name, 2, () => (backing.ok ? backing.next++ : 0), () => {}, null)!;
  return { pool, backing };
}

function bioSet(k: Parameters<typeof mempool_create>[0]) {
  const b = switchable(k, 'bio');
  const vecs = Array.from({ length: 6 }, () => switchable(k, 'vec'));
  return { bs: new bio_set(b.pool, vecs.map((v) => v.pool)), bio: b, vec: vecs[0]! };
}

test('mempool_alloc_first: element, then the reserve, then 0; only an atomic miss counts as a failure', () => {
  const { k } = machine();
  const { pool, backing } = switchable(k, 'bio');
  assert.equal(mempool_alloc_first(pool, GFP_NOIO), 102); // 100 and 101 filled the reserve
  backing.ok = false;
  assert.equal(mempool_alloc_first(pool, GFP_NOIO), 101); // the reserve (LIFO: the newer element)
  assert.equal(mempool_alloc_first(pool, GFP_NOIO), 100);
  assert.equal(mempool_alloc_first(pool, GFP_NOIO), 0); // a sleeping caller goes on with mempool_alloc_wait
  assert.equal(pool.failures, 0);
  assert.equal(mempool_alloc_first(pool, GFP_ATOMIC), 0);
  assert.equal(pool.failures, 1);
  assert.deepEqual(k.current.frames, []);
});

test('bio_alloc_try: a bio straight away when both mempools give one, with no frame left behind', () => {
  const { k } = machine();
  const { bs } = bioSet(k);
  const r = bio_alloc_try(k, bs, GFP_NOIO, 1);
  assert.ok(r instanceof bio);
  assert.equal(r.obj, 102);
  assert.equal(r.bvec_obj, 202);
  assert.equal(r.bi_max_vecs, 1);
  assert.equal(bs.allocated, 1);
  assert.deepEqual(k.current.frames, []);
});

test('bio_alloc_try: GFP_ATOMIC with the bio pool dry is null; with only the vec pool dry the bio goes back', () => {
  const { k } = machine();
  const s = bioSet(k);
  s.vec.backing.ok = false;
  mempool_alloc_first(s.vec.pool, GFP_ATOMIC);
  mempool_alloc_first(s.vec.pool, GFP_ATOMIC);
  assert.equal(bio_alloc_try(k, s.bs, GFP_ATOMIC, 1), null);
  assert.equal(s.bio.pool.frees_to_backing, 1); // the bio element went back (the reserve was full)
  s.bio.backing.ok = false;
  mempool_alloc_first(s.bio.pool, GFP_ATOMIC);
  mempool_alloc_first(s.bio.pool, GFP_ATOMIC);
  assert.equal(bio_alloc_try(k, s.bs, GFP_ATOMIC, 1), null);
  assert.equal(s.bs.allocated, 0);
  assert.deepEqual(k.current.frames, []);
});

for (const dry of ['bio', 'vec'] as const) {
  test(`bio_alloc: with the ${dry} pool dry the rest sleeps in mempool_alloc and ends with the element a free brings`, () => {
    const { k } = machine();
    const s = bioSet(k);
    const p = dry === 'bio' ? s.bio : s.vec;
    p.backing.ok = false;
    mempool_alloc_first(p.pool, GFP_NOIO);
    mempool_alloc_first(p.pool, GFP_NOIO);
    let got: bio | null = null;
    const t = k.kthread_run('writer', 0, 0, function* () {
      got = yield* bio_alloc(k, s.bs, GFP_NOIO, 1);
    });
    k.sim.run({ untilNs: 1e9 });
    assert.equal(t.state, TASK_UNINTERRUPTIBLE);
    assert.deepEqual(t.frames.slice(0, 4), ['bio_alloc', 'bio_alloc_bioset', 'mempool_alloc', 'io_schedule_timeout']);
    k.inInterrupt(0, () => mempool_free(dry === 'bio' ? 77 : 88, p.pool));
    k.sim.run({ untilNs: 1.5e9 });
    const b = got as bio | null;
    assert.ok(b instanceof bio);
    assert.equal(b.obj, dry === 'bio' ? 77 : 102);
    assert.equal(b.bvec_obj, dry === 'bio' ? 202 : 88);
    assert.equal(s.bs.allocated, 1);
    assert.deepEqual(t.frames, []);
  });
}
