import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDuration, formatRate, formatSize, GiB, KiB, MiB, parseDuration, parseRate, parseSize } from '../../src/scenario/units.js';

function ok(r: ReturnType<typeof parseSize>): number {
  assert.ok(r.ok, `expected ok, got ${JSON.stringify(r)}`);
  return r.value;
}

test('units: sizes accept binary and decimal units exactly', () => {
  assert.equal(ok(parseSize(4096)), 4096);
  assert.equal(ok(parseSize('4096')), 4096);
  assert.equal(ok(parseSize('4096B')), 4096);
  assert.equal(ok(parseSize('512KiB')), 512 * KiB);
  assert.equal(ok(parseSize('512K')), 512 * KiB);
  assert.equal(ok(parseSize('2GiB')), 2 * GiB);
  assert.equal(ok(parseSize('2G')), 2 * GiB);
  assert.equal(ok(parseSize('1.5GiB')), 1.5 * GiB);
  assert.equal(ok(parseSize('500MB')), 500_000_000);
  assert.equal(ok(parseSize('3kB')), 3000);
  assert.equal(ok(parseSize(' 64 MiB ')), 64 * MiB);
  assert.equal(ok(parseSize('1TiB')), 1024 * GiB);
});

test('units: sizes refuse inexact, ambiguous, negative and unknown forms', () => {
  for (const bad of ['1.3B', '0.1K', 'KB', '1KB', '-1', -1, 1.5, 'two', '2 GiBs', '', '1e3', 'constructor', '1constructor', true, null, [], {}]) {
    const r = parseSize(bad);
    assert.equal(r.ok, false, `${JSON.stringify(bad)} should be refused`);
  }
  const amb = parseSize('4KB');
  assert.ok(!amb.ok && /ambiguous/.test(amb.why));
  const huge = parseSize('99999999999TiB');
  assert.ok(!huge.ok && /too large/.test(huge.why));
});

test('units: durations need a unit except 0', () => {
  assert.equal(ok(parseDuration('10ns')), 10);
  assert.equal(ok(parseDuration('100us')), 100_000);
  assert.equal(ok(parseDuration('100µs')), 100_000);
  assert.equal(ok(parseDuration('250ms')), 250_000_000);
  assert.equal(ok(parseDuration('5s')), 5_000_000_000);
  assert.equal(ok(parseDuration('2m')), 120_000_000_000);
  assert.equal(ok(parseDuration('1h')), 3_600_000_000_000);
  assert.equal(ok(parseDuration('1.5ms')), 1_500_000);
  assert.equal(ok(parseDuration(0)), 0);
  assert.equal(ok(parseDuration('0')), 0);
  for (const bad of [5, '5', '0.5ns', '5 parsecs', '-1s', 'ms', true]) assert.equal(parseDuration(bad).ok, false, String(bad));
});

test('units: rates are a size per second', () => {
  assert.equal(ok(parseRate('60MiB/s')), 60 * MiB);
  assert.equal(ok(parseRate('200 MB / s')), 200_000_000);
  for (const bad of ['60MiB', '60MiB/ms', 60, '/s']) assert.equal(parseRate(bad).ok, false, String(bad));
});

test('units: format then parse round-trips (sizes, durations, rates)', () => {
  fc.assert(
    fc.property(fc.maxSafeNat(), (n) => {
      assert.equal(ok(parseSize(formatSize(n))), n);
      assert.equal(ok(parseDuration(formatDuration(n))), n);
      assert.equal(ok(parseRate(formatRate(n))), n);
    }),
    { numRuns: 2000, seed: 7 },
  );
  assert.equal(formatSize(GiB), '1GiB');
  assert.equal(formatSize(1536 * MiB), '1536MiB');
  assert.equal(formatSize(1000), '1000B');
  assert.equal(formatDuration(4_000_000), '4ms');
  assert.equal(formatDuration(600_000_000_000), '10m');
  assert.equal(formatRate(60 * MiB), '60MiB/s');
});
