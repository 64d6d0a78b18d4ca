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
