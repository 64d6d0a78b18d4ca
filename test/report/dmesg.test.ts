import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/kernel.js';
import { PageAllocator } from '../../src/mm/page_alloc.js';
import { GFP_ATOMIC } from '../../src/include/gfp.js';
import { dmesgPrefix, formatDmesg, formatShowState } from '../../src/report/dmesg.js';

test('dmesg prefix: 12-character right-aligned seconds field (0 s, 12.345678 s, 123456 s)', () => {
  assert.equal(dmesgPrefix(0), '[    0.000000] ');
  assert.equal(dmesgPrefix(12_345_678_901), '[   12.345678] ');
  assert.equal(dmesgPrefix(123_456_000_000_000), '[123456.000000] ');
});

test('dmesg: failure reports, "messages suppressed" lines and a show_state dump, each line prefixed (HZ 100)', () => {
  const k = new Kernel({ hz: 100, cpus: 1, seed: 1 });
  const pa = new PageAllocator(k, { ram_bytes: 64 << 20 });
  // 12 reports in one instant: the burst of 10 passes, 2 are suppressed; 10 s later one more passes
  // and printk first says how many were suppressed.
  const ev = k.sim.register('fail', () => {
    if (k.log.printk_ratelimit()) k.printk(pa.failure_report(GFP_ATOMIC, 0));
  });
  for (let i = 0; i < 12; i++) k.sim.at(1_000_000_000, ev, 0);
  k.sim.at(11_000_000_000, ev, 0);
  k.sim.run();
  const text = formatDmesg(k.log.lines, {
    showState: {
      timeNs: 12_000_000_000,
      tasks: [{ pid: 7, comm: 'cp', state: 'D', chain: ['io_schedule_timeout', 'mempool_alloc', 'bio_alloc', 'get_swap_bio'], waitingOn: 'fs_bio_set.bio_pool', switches: 3, timeouts: 2 }],
    },
  });
  const lines = text.trimEnd().split('\n');
  for (const l of lines) assert.match(l, /^\[ {3,4}\d{1,2}\.\d{6}\] /, l);
  assert.equal(lines.filter((l) => /swapper: page allocation failure\. order:0, mode:0x20$/.test(l)).length, 11);
  assert.ok(lines.includes('[   11.000000] printk: 2 messages suppressed.'));
  assert.ok(lines.includes('[   12.000000] SysRq : Show State'));
  assert.ok(lines.includes('[   12.000000]   io_schedule_timeout <- mempool_alloc <- bio_alloc <- get_swap_bio'));
  assert.match(text, /\[ {3}12\.000000\] cp {12}D {5}7 /);
});

test('show_state: chain innermost first, Call Trace per frame; a running task has no trace (2 tasks)', () => {
  const out = formatShowState([
    { pid: 3, comm: 'kswapd0', state: 'R', chain: [], waitingOn: '', switches: 1, timeouts: 0 },
    { pid: 9, comm: 'a-very-long-command-name', state: 'D', chain: ['schedule', 'kswapd'], waitingOn: 'q', switches: 1, timeouts: 0 },
  ]);
  assert.equal(out[0], 'SysRq : Show State');
  assert.match(out[2]!, /^kswapd0 {7}R {5}3 /);
  assert.match(out[3]!, /^a-very-long-c D {5}9 /);
  assert.deepEqual(out.slice(4), ['  schedule <- kswapd', 'Call Trace:', ' [<sim>] schedule', ' [<sim>] kswapd']);
});

test('show_mem: the Mem-info block in 2.6.25 x86_64 order: per-CPU lists, totals, zones, buddy lists, page cache, swap cache and swap, RAM walk', () => {
  const k = new Kernel({ hz: 1000, cpus: 2, seed: 1 });
  const pa = new PageAllocator(k, { ram_bytes: 256 << 20 });
  pa.hooks = { ...pa.hooks, swap_cache_info: () => ({ add_total: 7, del_total: 3, nr_swap_pages: 1000, total_swap_pages: 4096 }) };
  const got = pa.alloc_pages_nosleep(GFP_ATOMIC, 0);
  assert.ok(got >= 0);
  const lines = pa.show_mem();
  const dma32 = pa.zones.find((z) => z.name === 'DMA32')!;
  const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
  assert.equal(lines[0], 'Mem-info:');
  assert.equal(lines[1], 'Node 0 DMA per-cpu:');
  assert.equal(lines[2], 'CPU    0: hi:    0, btch:   1 usd:   0');
  const pcpAt = lines.indexOf('Node 0 DMA32 per-cpu:');
  assert.ok(pcpAt > 0);
  assert.equal(lines[pcpAt + 1], `CPU    0: hi:${String(dma32.pcp[0]!.high).padStart(5)}, btch:${String(dma32.pcp[0]!.batch).padStart(4)} usd:${String(dma32.pcp[0]!.count).padStart(4)}`);
  assert.ok(dma32.pcp[0]!.count > 0, 'the allocation refilled CPU 0\'s list');
  const order = [/^Active:/, /^ free:/, /^Node 0 DMA free:/, /^lowmem_reserve/, /^Node 0 DMA: /, / total pagecache pages$/, /^Swap cache: add 7, delete 3, find 0\/0$/, /^Free swap {2}= 4000kB$/, /^Total swap = 16384kB$/, /^Free swap: {9}4000kB$/, / pages of RAM$/, / reserved pages$/, / pages swap cached$/];
  const idx = order.map(at);
  assert.ok(idx.every((i) => i > pcpAt), JSON.stringify(idx));
  assert.deepEqual([...idx].sort((a, b) => a - b), idx, 'in this order');
  const ram = Number(lines[at(/ pages of RAM$/)]!.split(' ')[0]);
  const reserved = Number(lines[at(/ reserved pages$/)]!.split(' ')[0]);
  assert.equal(ram - reserved, pa.totalram_pages);
  assert.ok(reserved > 0, 'mem_map and the early reservations');
});
