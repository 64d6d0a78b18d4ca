import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { bootForSlabinfo } from '../../src/cli/commands/slabinfo.js';
import { formatProcSlabinfo, formatSlabinfoEntries, parseProcSlabinfo, SlabinfoParseError } from '../../src/report/slabinfo.js';

for (const kernel of ['2.6.24', '2.6.25-rc8', '2.6.25'] as const) {
  test(`slabinfo: writer and parser round-trip (${kernel}, SLUB)`, () => {
    const slub = bootForSlabinfo({ kernel, cacheLine: 64, slubNomerge: false, senseCtor: false, timerStats: false, allocator: 'slub' });
    const text = formatProcSlabinfo(slub);
    const parsed = parseProcSlabinfo(text);
    assert.equal(parsed.version, '2.1');
    assert.equal(parsed.entries.length, slub.caches.length);
    assert.equal(formatSlabinfoEntries(parsed.entries), text);
    const k128 = parsed.entries.find((e) => e.name === 'kmalloc-128')!;
    assert.equal(k128.objsize, 128);
    assert.equal(k128.limit + k128.batchcount + k128.sharedfactor + k128.sharedavail, 0);
    // Merged caches appear once: bio and scsi_sense_cache share kmalloc-128's line.
    assert.equal(parsed.entries.filter((e) => e.name === 'bio' || e.name === 'scsi_sense_cache').length, 0);
  });
}

test('slabinfo parser: reads this machine\'s /proc/slabinfo (skipped when absent or unreadable)', (t) => {
  let text: string;
  try {
    if (!existsSync('/proc/slabinfo')) throw new Error('absent');
    text = readFileSync('/proc/slabinfo', 'utf8');
  } catch (e) {
    t.skip(`/proc/slabinfo not readable here (${e instanceof Error ? e.message : String(e)}); needs Linux and usually root`);
    return;
  }
  const parsed = parseProcSlabinfo(text);
  assert.match(parsed.version, /^2\.\d+$/);
  assert.ok(parsed.entries.length > 10, `${parsed.entries.length} caches`);
  for (const e of parsed.entries) {
    assert.ok(e.active_objs <= e.num_objs, `${e.name}: active ${e.active_objs} > num ${e.num_objs}`);
    assert.ok(e.objsize > 0 && e.objperslab > 0 && e.pagesperslab > 0, e.name);
  }
});

test('slabinfo parser: rejects a wrong header and a malformed line, naming the line', () => {
  assert.throws(() => parseProcSlabinfo('slabinfo - version: 1.1\n'), (e: unknown) => e instanceof SlabinfoParseError && e.line === 1);
  const bad = 'slabinfo - version: 2.1\n# name ...\nkmalloc-128 1 2 3 : tunables 0 0 0 : slabdata 1 1 0\n';
  assert.throws(() => parseProcSlabinfo(bad), (e: unknown) => e instanceof SlabinfoParseError && e.line === 3);
});
