import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PSWPOUT } from '../../src/mm/page_alloc.js';
import { NR_FREE_PAGES, NR_WRITEBACK, vmstat_text } from '../../src/mm/page_alloc.js';
import { formatMeminfo, formatVmstat, formatZoneinfo, procSnapshot, snapshotDirName, snapshotDirNames } from '../../src/report/proc.js';
import { parseProcSlabinfo } from '../../src/report/slabinfo.js';
import { observe, smallParams } from './helpers.js';

const { machine: m } = observe(smallParams(), false);

function kv(text: string): Map<string, number> {
  return new Map(text.trimEnd().split('\n').map((l) => {
    const [k, v] = l.split(/:?\s+/);
    return [k!.replace(/:$/, ''), Number(v)];
  }));
}

test('meminfo: 2.6.25 field layout and values from the machine (short run, at the verdict)', () => {
  const text = formatMeminfo(m);
  for (const l of text.trimEnd().split('\n').slice(0, 24)) assert.match(l, /^[A-Za-z_()]+: +\d+ kB$/, l);
  assert.match(text, /^MemTotal: {5} {0,3}\d+ kB$/m);
  const v = kv(text);
  assert.equal(v.get('MemTotal'), m.pa.totalram_pages * 4);
  assert.equal(v.get('MemFree'), m.pa.vm_stat[NR_FREE_PAGES]! * 4);
  assert.equal(v.get('Writeback'), m.pa.vm_stat[NR_WRITEBACK]! * 4);
  assert.equal(v.get('SwapTotal'), m.vm.si.pages * 4);
  assert.equal(v.get('SwapFree'), (m.vm.si.pages - m.vm.si.inuse_pages) * 4);
  assert.equal(v.get('Slab'), v.get('SReclaimable')! + v.get('SUnreclaim')!);
});

test('vmstat: every 2.6.25 name once, in vmstat_text order, with pswpout from reclaim (short run)', () => {
  const lines = formatVmstat(m).trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => l.split(' ')[0]), [...vmstat_text]);
  assert.equal(kv(formatVmstat(m).replace(/ /g, ': ')).get('pswpout'), m.pa.vm_events[PSWPOUT]!);
  assert.ok(m.pa.vm_events[PSWPOUT]! > 0, 'the short run swaps');
  // submit_bio counts sectors; vmstat_start shows KiB: every swap write is one 4 KiB page, and
  // the only reads are the boot reads (boot_read_pages on each CPU).
  const v = kv(formatVmstat(m).replace(/ /g, ': '));
  assert.equal(v.get('pgpgout'), m.pa.vm_events[PSWPOUT]! * 4);
  assert.equal(v.get('pgpgin'), m.params.boot_read_pages * m.params.cpus * 4);
  assert.ok(v.get('pgpgin')! > 0);
});

test('zoneinfo: populated zones with their min/low/high watermarks and protection (short run)', () => {
  const text = formatZoneinfo(m);
  for (const z of m.pa.zones.filter((x) => x.populated)) {
    const block = text.split('Node 0, zone').find((b) => b.trimStart().startsWith(`${z.name}\n`))!;
    assert.ok(block !== undefined, z.name);
    assert.match(block, new RegExp(`\\n {8}min {6}${z.pages_min}\\n {8}low {6}${z.pages_low}\\n {8}high {5}${z.pages_high}\\n`));
    assert.match(block, new RegExp(`protection: \\(${Array.from(z.lowmem_reserve).join(', ')}\\)`));
  }
  assert.doesNotMatch(text, /zone +Movable/);
});

test('proc snapshot: slabinfo parses and lists kmalloc-128 once; directory names trim zeros (0.5 s, 30 s, 1.25 ms)', () => {
  const snap = procSnapshot(m);
  const parsed = parseProcSlabinfo(snap.slabinfo);
  assert.equal(parsed.entries.filter((e) => e.name === 'kmalloc-128').length, 1);
  assert.equal(snapshotDirName(500_000_000), '0.5s');
  assert.equal(snapshotDirName(30_000_000_000), '30s');
  assert.equal(snapshotDirName(1_250_000), '0.00125s');
});

/** A directory name read back as nanoseconds, exactly (no floating point): "1.0000005s" -> 1000000500. */
function nsOfName(name: string): number {
  const m = /^(\d+)(?:\.(\d{1,9}))?s$/.exec(name);
  assert.ok(m, `a decimal number of seconds: ${name}`);
  return Number(m[1]) * 1e9 + Number((m[2] ?? '').padEnd(9, '0'));
}

test('proc snapshot names: instants in one microsecond get nanosecond names; the others keep their microsecond names', () => {
  const names = snapshotDirNames([500_000_000, 1_000_000_000, 1_000_000_001, 1_000_000_500, 2_000_000_999, 30_000_000_000, 1_000_000_000]);
  assert.deepEqual([...names.entries()].sort((a, b) => a[0] - b[0]), [
    [500_000_000, '0.5s'],
    [1_000_000_000, '1s'], // a whole microsecond: the same name at either precision
    [1_000_000_001, '1.000000001s'],
    [1_000_000_500, '1.0000005s'],
    [2_000_000_999, '2s'], // alone in its microsecond: truncated to it, as before
    [30_000_000_000, '30s'],
  ]);
  // A lone instant is named as snapshotDirName names it.
  for (const t of [1_250_000, 1_000_000_001, 123_456_789_012]) assert.equal(snapshotDirNames([t]).get(t), snapshotDirName(t));
});

test('proc snapshot names: unique for distinct instants, and in time order when read as decimal seconds (property)', () => {
  fc.assert(
    fc.property(
      // Instants up to checks.time_limit's 168 h, crowded into a few microseconds half of the time.
      fc.oneof(fc.uniqueArray(fc.integer({ min: 0, max: 168 * 3600 * 1e9 }), { minLength: 1, maxLength: 30 }), fc.uniqueArray(fc.integer({ min: 999_997_000, max: 1_000_003_000 }), { minLength: 1, maxLength: 30 })),
      (times) => {
        const names = snapshotDirNames(times);
        assert.equal(names.size, times.length);
        assert.equal(new Set(names.values()).size, times.length, 'one directory per instant');
        const sorted = [...times].sort((a, b) => a - b);
        for (let i = 1; i < sorted.length; i++) assert.ok(nsOfName(names.get(sorted[i - 1]!)!) < nsOfName(names.get(sorted[i]!)!), `${names.get(sorted[i - 1]!)} before ${names.get(sorted[i]!)}`);
        // A name never says later than its instant, and never by a microsecond or more earlier.
        for (const t of times) assert.ok(t - nsOfName(names.get(t)!) < 1000 && t >= nsOfName(names.get(t)!));
      },
    ),
    { seed: 1, numRuns: 300 },
  );
});
