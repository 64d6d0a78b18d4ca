import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SimulatorError } from '../../src/sim/assert.js';
import { GFP_ATOMIC, GFP_KERNEL, GFP_NOIO, __GFP_DMA, __GFP_NOMEMALLOC, __GFP_NORETRY, __GFP_NOWARN } from '../../src/include/gfp.js';
import { PAGE_USE_FREE, PAGE_USE_SLAB, PAGE_USE_OTHER } from '../../src/include/page-flags.js';
import { SLAB_CACHE_DMA, SLAB_RECLAIM_ACCOUNT } from '../../src/include/slab.js';
import { create_unique_id, kmalloc_index, kmem_cache_alloc, kmem_cache_free, type kmem_cache } from '../../src/mm/slub.js';
import { bootCaches } from '../../src/mm/boot_caches.js';
import { NR_SLAB_UNRECLAIMABLE } from '../../src/mm/page_alloc.js';
import { machine, drain } from './helpers.js';

test('slub: kmalloc geometry matches the reference table §6.7', () => {
  const { slub } = machine();
  const want: [number, number, number][] = [
    [8, 0, 512], [16, 0, 256], [32, 0, 128], [64, 0, 64], [96, 0, 42], [128, 0, 32], [192, 0, 21],
    [256, 0, 16], [512, 0, 8], [1024, 0, 4], [2048, 3, 16], [4096, 3, 8],
  ];
  for (const [size, order, objs] of want) {
    const s = slub.get_slab(size, 0).s;
    assert.equal(s.name, `kmalloc-${size}`);
    assert.deepEqual([s.size, s.order, s.objects], [size, order, objs], s.name);
  }
  const c = bootCaches(slub, { kernel: '2.6.25' });
  assert.deepEqual([c.scsi_cmd_cache.s.size, c.scsi_cmd_cache.s.order, c.scsi_cmd_cache.s.objects], [320, 0, 12]);
  assert.deepEqual([c.biovec[4]!.s.size, c.biovec[4]!.s.order, c.biovec[4]!.s.objects], [2048, 1, 4]);
  assert.deepEqual([c.biovec[5]!.s.size, c.biovec[5]!.s.order, c.biovec[5]!.s.objects], [4096, 1, 2]);
  assert.equal(c.blkdev_requests.s.size, 296);
});

test('slub: kmalloc size index table (§6.8)', () => {
  const want: [number, number][] = [[1, 3], [8, 3], [9, 4], [16, 4], [33, 6], [64, 6], [65, 1], [96, 1], [97, 7], [128, 7], [129, 2], [192, 2], [193, 8], [4096, 12]];
  for (const [size, idx] of want) assert.equal(kmalloc_index(size), idx, `size ${size}`);
});

test('slub: merge outcomes of §6.11 (2.6.25-rc8, cache line 64 and 128)', () => {
  for (const cache_line_size of [64, 128]) {
    const { slub } = machine(256, 2, {}, { cache_line_size });
    const c = bootCaches(slub, { kernel: '2.6.25-rc8', dma_pool: true });
    const k128 = slub.get_slab(128, 0).s;
    assert.equal(c.bio.s, k128, `bio (line ${cache_line_size})`);
    assert.equal(c.scsi_sense_cache!.s, k128, `sense (line ${cache_line_size})`);
    assert.equal(k128.sysfs_name, ':0000128');
    assert.deepEqual(k128.aliases, ['kmalloc-128', 'bio', 'scsi_sense_cache']);
    assert.equal(k128.refcount, 3);
    assert.notEqual(c.scsi_sense_cache_dma!.s, k128);
    assert.equal(c.scsi_sense_cache_dma!.s.sysfs_name, ':d-0000128');
    assert.equal(c.scsi_cmd_cache.s.name, 'scsi_cmd_cache');
    assert.notEqual(c.blkdev_requests.s, k128);
    for (const h of [...c.biovec, ...c.sgpool]) assert.notEqual(h.s, k128, h.name);
    if (cache_line_size === 64) {
      assert.equal(c.biovec[0]!.s.name, 'kmalloc-16');
      assert.equal(c.biovec[1]!.s.name, 'kmalloc-64');
      assert.equal(c.biovec[2]!.s.name, 'kmalloc-256');
      assert.equal(c.biovec[3]!.s.name, 'kmalloc-1024');
      assert.deepEqual(c.sgpool.slice(0, 3).map((h) => h.s.name), ['kmalloc-256', 'kmalloc-512', 'kmalloc-1024']);
    }
    assert.ok(!c.biovec[4]!.s.name.startsWith('kmalloc'));
    assert.ok(!c.biovec[5]!.s.name.startsWith('kmalloc'));
  }
});

test('slub: the sense cache is its own cache with a no-op ctor, with slub_nomerge, and under SLAB', () => {
  const variants = [
    { s: {}, p: { sense_ctor: true } },
    { s: { slub_nomerge: true }, p: {} },
    { s: { allocator: 'slab' as const }, p: {} },
  ];
  for (const v of variants) {
    const { slub } = machine(256, 2, {}, v.s);
    const c = bootCaches(slub, { kernel: '2.6.25', ...v.p });
    const sense = c.scsi_sense_cache!.s;
    assert.equal(sense.name, 'scsi_sense_cache');
    assert.deepEqual(sense.aliases, ['scsi_sense_cache']);
    assert.equal(sense.size, 128);
    assert.equal(sense.objects, 32);
    if (v.p.sense_ctor) assert.equal(c.bio.s.name, 'kmalloc-128');
    else assert.equal(c.bio.s.name, 'bio');
  }
});

test('slub: 2.6.24 profile has no sense cache and a 368-byte scsi_cmnd', () => {
  const { slub } = machine();
  const c = bootCaches(slub, { kernel: '2.6.24' });
  assert.equal(c.scsi_sense_cache, null);
  assert.equal(c.scsi_cmd_cache.s.objsize, 368);
  assert.equal(c.scsi_cmd_cache.s.size, 384);
});

test('slub: create_unique_id flag letters and padding', () => {
  assert.equal(create_unique_id({ flags: 0, size: 128 }), ':0000128');
  assert.equal(create_unique_id({ flags: SLAB_CACHE_DMA, size: 128 }), ':d-0000128');
  assert.equal(create_unique_id({ flags: SLAB_RECLAIM_ACCOUNT | SLAB_CACHE_DMA, size: 4096 }), ':da-0004096');
});

test('slub: find_mergeable prefers the newest cache and needs equal MERGE_SAME bits', () => {
  const { slub } = machine();
  const a = slub.kmem_cache_create('a', 200, 0, SLAB_RECLAIM_ACCOUNT);
  const b = slub.kmem_cache_create('b', 200, 0, SLAB_RECLAIM_ACCOUNT);
  const c = slub.kmem_cache_create('c', 200, 0, 0);
  assert.equal(b.s, a.s);
  assert.notEqual(c.s, a.s);
  const d = slub.kmem_cache_create('d', 198, 0, 0);
  assert.equal(d.s, c.s);
  assert.equal(c.s.objsize, 200);
});

test('slub: per-handle owner counts split kmalloc-128 into bio and sense buffers', () => {
  const { slub } = machine();
  const c = bootCaches(slub, { kernel: '2.6.25-rc8' });
  const bios = Array.from({ length: 40 }, () => kmem_cache_alloc(c.bio, GFP_NOIO));
  const senses = Array.from({ length: 5 }, () => kmem_cache_alloc(c.scsi_sense_cache!, GFP_ATOMIC));
  assert.ok(bios.every((x) => x > 0) && senses.every((x) => x > 0));
  const s = c.bio.s;
  assert.equal(c.bio.inuse, 40);
  assert.equal(c.scsi_sense_cache!.inuse, 5);
  assert.equal(s.objects_in_use, 45);
  assert.equal(s.nr_slabs, 2);
  // a bio may be freed through either handle: they are the same kmem_cache
  kmem_cache_free(c.scsi_sense_cache!, bios[0]!);
  assert.equal(c.bio.inuse, 39);
  slub.check_cache(s);
});

test('slub: double free, unknown object and wrong cache are simulator assertions', () => {
  const { slub } = machine();
  const c = bootCaches(slub, { kernel: '2.6.25' });
  const x = kmem_cache_alloc(c.scsi_cmd_cache, GFP_KERNEL);
  assert.throws(() => kmem_cache_free(c.blkdev_requests, x), SimulatorError);
  kmem_cache_free(c.scsi_cmd_cache, x);
  assert.throws(() => kmem_cache_free(c.scsi_cmd_cache, x), /double free/);
  assert.throws(() => kmem_cache_free(c.scsi_cmd_cache, 123456789), SimulatorError);
});

test('slub: remote frees go to the frozen slab page freelist and are reloaded by its CPU', () => {
  const { k, slub } = machine(256, 2);
  const h = slub.kmem_cache_create('t', 512, 0, 0); // 8 per slab
  const s = h.s;
  k.current = k.idle[0]!;
  const objs = Array.from({ length: 8 }, () => slub.kmem_cache_alloc(h, GFP_KERNEL));
  const slab = s.cpu_page[0]!;
  assert.equal(s.cpu_freelist[0], -1);
  k.current = k.idle[1]!;
  slub.kmem_cache_free(h, objs[0]!);
  slub.kmem_cache_free(h, objs[1]!);
  assert.equal(s.nr_partial, 0, 'frozen slab stays off the partial list');
  assert.ok(slub.sl_freelist[slab]! >= 0);
  k.current = k.idle[0]!;
  const again = slub.kmem_cache_alloc(h, GFP_KERNEL);
  assert.equal(s.cpu_page[0], slab);
  assert.ok(again === objs[0] || again === objs[1]);
  assert.equal(s.nr_slabs, 1);
  slub.check_cache(s);
});

test('slub: empty slabs are discarded on free but kept on deactivation while nr_partial < MIN_PARTIAL', () => {
  const { k, pa, slub } = machine(256, 1);
  const h = slub.kmem_cache_create('t', 1024, 0, 0); // 4 per slab
  const s = h.s;
  k.current = k.idle[0]!;
  // 7 slabs full, the CPU slab is the 7th.
  const objs = Array.from({ length: 28 }, () => slub.kmem_cache_alloc(h, GFP_KERNEL));
  assert.equal(s.nr_slabs, 7);
  const slabPages = pa.nr_pages_by_use[PAGE_USE_SLAB]!;
  // Free all objects of slabs 1..6 (not the CPU slab): each becomes empty and is discarded at once.
  for (const o of objs.slice(0, 24)) slub.kmem_cache_free(h, o);
  assert.equal(s.nr_slabs, 1);
  assert.equal(s.nr_partial, 0);
  assert.equal(pa.nr_pages_by_use[PAGE_USE_SLAB], slabPages - 6);
  // Free the CPU slab's objects: they go to the CPU freelist; the slab is empty but frozen.
  for (const o of objs.slice(24)) slub.kmem_cache_free(h, o);
  assert.equal(s.nr_slabs, 1);
  // A new slab is needed when the CPU freelist is exhausted: take 4 back, then 1 more forces
  // deactivation of a full slab (goes nowhere) and a new slab.
  const more = Array.from({ length: 5 }, () => slub.kmem_cache_alloc(h, GFP_KERNEL));
  assert.equal(s.nr_slabs, 2);
  assert.equal(s.nr_partial, 0);
  slub.check_cache(s);
  for (const o of more) slub.kmem_cache_free(h, o);
  // The full slab emptied via __slab_free: discarded; the CPU slab holds the last one.
  assert.equal(s.nr_slabs, 1);
  assert.equal(pa.vm_stat[NR_SLAB_UNRECLAIMABLE]! > 0, true);
  pa.check_conservation();
});

test('slub: GFP_ATOMIC slab page allocation fails below the atomic watermark; kmalloc-2048 falls back to kmalloc_large', () => {
  const { k, pa, slub } = machine(256, 1, { layout: 'flat' });
  const c = bootCaches(slub, { kernel: '2.6.25-rc8' });
  // fill the current kmalloc-128 CPU slab and partials
  const free = slub.free_objects(c.bio.s);
  for (let i = 0; i < free; i++) assert.ok(kmem_cache_alloc(c.bio, GFP_NOIO) > 0);
  drain(pa, 0);
  k.current = k.idle[0]!;
  assert.equal(kmem_cache_alloc(c.scsi_sense_cache!, GFP_ATOMIC), 0);
  assert.equal(c.bio.s.alloc_failures, 1);
  assert.equal(pa.alloc_failures, 1);
  assert.match(k.log.lines[0]!.text, /^swapper: page allocation failure\. order:0, mode:0x20$/);
  // mempool's first attempt mask: no report (NOWARN)
  assert.equal(kmem_cache_alloc(c.bio, GFP_NOIO & ~0x10 | __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN), 0);
  assert.equal(pa.alloc_failure_reports, 1);
});

test('property: random slab alloc/free across caches and masks keeps page and object conservation (fast-check)', () => {
  const masks = [GFP_KERNEL, GFP_NOIO, GFP_ATOMIC, 0x11200];
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(9), fc.nat(3), fc.nat(1), fc.boolean(), fc.nat(10_000)), { maxLength: 400 }),
      (ops) => {
        const { k, pa, slub } = machine(64, 2);
        const c = bootCaches(slub, { kernel: '2.6.25-rc8' });
        const hs: kmem_cache[] = [c.bio, c.scsi_sense_cache!, c.scsi_cmd_cache, c.biovec[0]!, c.biovec[4]!, c.blkdev_requests, c.sgpool[4]!, slub.get_slab(4096, 0), slub.get_slab(8, 0), c.byName.get('dentry')!];
        const live: [kmem_cache, number][] = [];
        const seen = new Set<number>();
        let allocs = 0;
        let frees = 0;
        for (const [ci, mi, cpu, alloc, pick] of ops) {
          k.current = k.idle[cpu]!;
          if (alloc || live.length === 0) {
            const h = hs[ci]!;
            const id = kmem_cache_alloc(h, masks[mi]!);
            if (id !== 0) {
              assert.ok(!seen.has(id), `object ${id} handed out twice`);
              seen.add(id);
              live.push([h, id]);
              allocs++;
            }
          } else {
            const [h, id] = live.splice(pick % live.length, 1)[0]!;
            seen.delete(id);
            kmem_cache_free(h, id);
            frees++;
          }
        }
        pa.check_conservation();
        let counted = 0;
        for (const h of hs) counted += h.inuse;
        assert.equal(counted, allocs - frees);
        for (const h of hs) assert.equal(h.inuse, live.filter(([x]) => x === h).length, h.name);
        for (const s of new Set(hs.map((h) => h.s))) slub.check_cache(s);
        assert.equal(pa.nr_pages_by_use[PAGE_USE_FREE]! + pa.nr_pages_by_use[PAGE_USE_SLAB]! + pa.nr_pages_by_use[PAGE_USE_OTHER]!, pa.totalram_pages);
      },
    ),
    { seed: 7, numRuns: 40 },
  );
});

test('slub: dma_kmalloc_cache opens kmalloc_dma-N itself (SLAB_CACHE_DMA alone): no merge into an existing DMA cache, ordinary order rules', () => {
  const { slub } = machine();
  const c = bootCaches(slub, { kernel: '2.6.25-rc8', dma_pool: true });
  const dma128 = slub.get_slab(128, __GFP_DMA);
  assert.equal(dma128.s.name, 'kmalloc_dma-128');
  assert.notEqual(dma128.s, c.scsi_sense_cache_dma!.s, 'the DMA sense cache exists first, yet kmalloc_dma-128 is its own cache');
  assert.deepEqual(dma128.s.aliases, ['kmalloc_dma-128']);
  assert.equal(dma128.s.flags & SLAB_CACHE_DMA, SLAB_CACHE_DMA);
  // kmalloc-4096 takes order 3 through __KMALLOC_CACHE's page-allocator fallback; the DMA cache
  // has no such flag and gets calculate_order's order 1 (2 objects).
  const dma4096 = slub.get_slab(4096, __GFP_DMA).s;
  assert.deepEqual([dma4096.order, dma4096.objects], [1, 2]);
  assert.equal(slub.get_slab(4096, __GFP_DMA).s, dma4096, 'created once');
});

test('slub: release() hands the grown slab and object tables to the next allocator of the thread', () => {
  const first = (() => {
    const { slub } = machine();
    const h = slub.get_slab(64, GFP_KERNEL);
    // 64 objects a slab: 1100 slabs outgrow the initial tables (1024 slabs, 32768 objects). The
    // machine has 65 536 page frames, whose mem_map would take object tables of that length.
    for (let i = 0; i < 64 * 1100; i++) assert.ok(kmem_cache_alloc(h, GFP_KERNEL) > 0);
    assert.deepEqual([slub.sl_pfn.length, slub.obj_next.length], [2048, 131072], 'both tables grew');
    const tables = new Set<Int32Array>([slub.sl_pfn, slub.sl_cache, slub.sl_inuse, slub.sl_freelist, slub.sl_prev, slub.sl_next, slub.sl_base, slub.sl_live, slub.obj_next, slub.obj_slab, slub.obj_owner]);
    slub.release();
    return tables;
  })();
  const { slub } = machine();
  // Arrays of one size come back in any order: each table is one of the released arrays.
  for (const [name, t] of [['sl_pfn', slub.sl_pfn], ['sl_next', slub.sl_next], ['obj_next', slub.obj_next], ['obj_owner', slub.obj_owner]] as const) {
    assert.ok(first.has(t), `${name} is a released array`);
  }
  assert.ok(slub.sl_pfn.every((v) => v === -1) && slub.obj_owner.every((v) => v === -1), 'filled as new');
});

test('bootCaches: the (DMA) command-pool caches exist only for a host with unchecked_isa_dma (scsi_setup_command_freelist)', () => {
  const { slub } = machine();
  const c = bootCaches(slub, { kernel: '2.6.25-rc8' });
  assert.equal(c.scsi_cmd_cache_dma, null);
  assert.equal(c.scsi_sense_cache_dma, null);
  assert.ok(!slub.slab_caches_list().some((s) => s.name.endsWith('(DMA)')));
});
