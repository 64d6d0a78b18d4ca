/**
 * The swap area as 2.6.25's sys_swapon sets it up from mkswap's header, and slot allocation
 * (scan_swap_map: clusters of SWAPFILE_CLUSTER consecutive slots).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get_swap_page, swap_free, swap_info_struct, SWAPFILE_CLUSTER } from '../../src/mm/swapfile.js';

test('swapon: a partition of N pages gives slots 1..N-2 (slot 0 is the header, mkswap\'s last_page is never used)', () => {
  const si = new swap_info_struct(1000, 0);
  assert.equal(si.max, 999);
  assert.equal(si.pages, 998);
  assert.equal(si.lowest_bit, 1);
  assert.equal(si.highest_bit, 998);
  const got: number[] = [];
  for (;;) {
    const s = get_swap_page(si);
    if (s === 0) break;
    got.push(s);
  }
  assert.equal(got.length, 998);
  assert.deepEqual([Math.min(...got), Math.max(...got)], [1, 998]);
  assert.equal(new Set(got).size, 998, 'no slot twice');
  assert.equal(si.inuse_pages, si.pages);
  // A freed slot is handed out again.
  swap_free(si, 500);
  assert.equal(get_swap_page(si), 500);
  assert.equal(get_swap_page(si), 0, 'full again');
});

test('scan_swap_map: consecutive allocations take consecutive slots of one cluster', () => {
  const si = new swap_info_struct(4 * SWAPFILE_CLUSTER + 2, 0);
  const first = Array.from({ length: SWAPFILE_CLUSTER }, () => get_swap_page(si));
  assert.deepEqual(first, Array.from({ length: SWAPFILE_CLUSTER }, (_, i) => 1 + i));
});

test('swapon: no swap (swap.size 0) gives an area that hands out nothing', () => {
  for (const n of [0, 1, 2]) {
    const si = new swap_info_struct(n, 0);
    assert.equal(si.pages, 0, `${n} pages`);
    assert.equal(get_swap_page(si), 0);
  }
});
