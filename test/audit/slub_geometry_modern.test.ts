import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  calculate_order_legacy,
  calculate_order_modern,
  calculate_sizes_modern,
  cpu_partial_modern,
  default_min_objects,
  get_order,
  kmalloc_align_modern,
  min_partial_modern,
  slub_modern,
} from '../../src/mm/slub_geometry_modern.js';
import { slub_2_6_25 } from '../../src/mm/slub_geometry.js';

const HWCACHE = 0x2000;
const RCU = 0x80000;
const POISON = 0x800;
const RED_ZONE = 0x400;
const STORE_USER = 0x10000;

test('slub modern: min_objects from CPUs (present, or nr_cpu_ids when <= 1 present)', () => {
  assert.equal(default_min_objects(1, 1), 8);
  assert.equal(default_min_objects(2, 2), 12);
  assert.equal(default_min_objects(8, 8), 20);
  assert.equal(default_min_objects(1, 64), 4 * (7 + 1));
  assert.equal(slub_modern({ nr_cpu_ids: 2 }).slub_min_objects, 12);
  assert.equal(slub_modern().slub_max_order, 3);
});

test('slub modern: orders seen on a 2-CPU v6.18 x86_64 machine', () => {
  const r = slub_modern({ nr_cpu_ids: 2 });
  const cases: [number, number, number][] = [
    // size, order, objects
    [128, 0, 32],
    [344, 1, 23],
    [704, 2, 23],
    [1024, 2, 16],
    [1536, 3, 21],
    [4096, 3, 8],
    [5888, 3, 5], // task_struct: min_objects capped by what fits in order 3
    [8192, 3, 4],
    [51472, 4, 1], // kvm_vcpu: too big for slub_max_order, get_order(size)
  ];
  for (const [size, order, objects] of cases) {
    const g = calculate_sizes_modern(r, size, 8, 0, false);
    assert.deepEqual([g.size, g.order, g.objects], [size, order, objects], `size ${size}`);
  }
});

test('slub modern: legacy loop agrees with v6.8 on every word-aligned size up to 8 KiB (12 min objects)', () => {
  const k = { slub_min_order: 0, slub_max_order: 3, slub_min_objects: 12 };
  for (let size = 8; size <= 8192; size += 8) {
    assert.equal(calculate_order_legacy(k, size), calculate_order_modern(k, size), `size ${size}`);
  }
  assert.equal(calculate_order_legacy(k, 51472), get_order(51472));
});

test('slub modern: layout (free pointer outside for ctor/RCU/poison, debug metadata, alignment)', () => {
  const r = slub_modern({ nr_cpu_ids: 2 });
  assert.equal(calculate_sizes_modern(r, 96, 8, RCU, true).size, 104); // anon_vma
  assert.equal(calculate_sizes_modern(r, 120, 64, HWCACHE | RCU, false).size, 128); // bio-120
  assert.equal(calculate_sizes_modern(r, 192, 64, HWCACHE | RCU, false, { rcu_freeptr_offset: true }).size, 192);
  assert.equal(calculate_sizes_modern(r, 72, 64, HWCACHE, false).size, 128); // kmem_cache_node
  assert.equal(calculate_sizes_modern(r, 64, 8, POISON, false).size, 72);
  // red zone: +word (no slack) +free ptr? no; +trailing word +left pad; store user: 2 tracks of 32.
  assert.equal(calculate_sizes_modern(r, 64, 8, RED_ZONE | STORE_USER, false).size, 64 + 8 + 64 + 8 + 8);
});

test('slub modern: tunables and kmalloc alignment', () => {
  assert.equal(min_partial_modern(64), 5);
  assert.equal(min_partial_modern(4096), 6);
  assert.equal(min_partial_modern(51472), 7);
  assert.equal(cpu_partial_modern(128, false), 120);
  assert.equal(cpu_partial_modern(256, false), 52);
  assert.equal(cpu_partial_modern(1024, false), 24);
  assert.equal(cpu_partial_modern(4096, false), 6);
  assert.equal(cpu_partial_modern(128, true), 0);
  assert.equal(kmalloc_align_modern(96), 32);
  assert.equal(kmalloc_align_modern(192), 64);
  assert.equal(kmalloc_align_modern(128), 128);
  assert.equal(kmalloc_align_modern(96, true), 8);
});

test('slub profiles: both implement the same interface; 2.6.25 keeps its rules', () => {
  const old = slub_2_6_25();
  const now = slub_modern({ nr_cpu_ids: 2 });
  for (const r of [old, now]) {
    assert.equal(typeof r.calculate_order, 'function');
    assert.equal(typeof r.calculate_alignment, 'function');
  }
  assert.equal(old.calculate_order(128), 0);
  assert.equal(old.calculate_order(2048), 1);
  assert.equal(now.calculate_order(2048), 3);
  assert.equal(now.calculate_alignment(HWCACHE, 8, 104), 64);
});
