import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/kernel.js';
import { Prng } from '../../src/sim/prng.js';
import { jiffiesToNs } from '../../src/sim/time.js';

/**
 * Drives printk_ratelimit() at the given jiffies: each caller prints "msg N" when allowed, the way
 * `if (printk_ratelimit()) printk(...)` does. Returns the log text and the decisions.
 */
function drive(hz: number, atJiffies: number[]): { lines: string[]; allowed: boolean[]; k: Kernel } {
  const k = new Kernel({ hz, cpus: 1, seed: 1 });
  const allowed: boolean[] = [];
  const call = k.sim.register('call', (i) => {
    const ok = k.log.printk_ratelimit();
    allowed.push(ok);
    if (ok) k.printk(`msg ${i}`);
  });
  atJiffies.forEach((j, i) => k.sim.at(jiffiesToNs(j, hz), call, i));
  k.sim.run();
  return { lines: k.log.lines.map((l) => l.text), allowed, k };
}

/**
 * __printk_ratelimit as 2.6.25 kernel/printk.c writes it, transcribed with C's unsigned
 * arithmetic (toks is `unsigned`, starts at 10 * 5 * HZ; last_msg and missed start at 0).
 */
function reference(hz: number, atJiffies: number[]): { lines: string[]; allowed: boolean[] } {
  const ratelimit_jiffies = 5 * hz, ratelimit_burst = 10;
  let toks = (10 * 5 * hz) >>> 0, last_msg = 0, missed = 0;
  const lines: string[] = [], allowed: boolean[] = [];
  atJiffies.forEach((now, i) => {
    toks = (toks + (now - last_msg)) >>> 0;
    last_msg = now;
    if (toks > ratelimit_burst * ratelimit_jiffies) toks = ratelimit_burst * ratelimit_jiffies;
    if (toks >= ratelimit_jiffies) {
      const lost = missed;
      missed = 0;
      toks = (toks - ratelimit_jiffies) >>> 0;
      if (lost) lines.push(`printk: ${lost} messages suppressed.`);
      allowed.push(true);
      lines.push(`msg ${i}`);
    } else {
      missed++;
      allowed.push(false);
    }
  });
  return { lines, allowed };
}

for (const hz of [250, 1000]) {
  test(`printk_ratelimit: a burst of 10, then one per 5*HZ with the suppressed count first (HZ=${hz})`, () => {
    const I = 5 * hz;
    // 15 calls at boot, one just before the bucket refills one message, one at the refill, one more.
    const at = [...Array(15).fill(0), I - 1, I, I];
    const { lines, allowed, k } = drive(hz, at);
    assert.deepEqual(allowed, [...Array(10).fill(true), ...Array(5).fill(false), false, true, false]);
    assert.deepEqual(lines, [...Array.from({ length: 10 }, (_, i) => `msg ${i}`), 'printk: 6 messages suppressed.', 'msg 16']);
    assert.equal(k.log.lines[10]!.timeNs, jiffiesToNs(I, hz));
    assert.equal(k.log.ratelimitAllowed, 11);
    assert.equal(k.log.ratelimitSuppressed, 7);
  });

  test(`printk_ratelimit: a steady stream gets one message per 5 s and the bucket refills to a burst of 10 (HZ=${hz})`, () => {
    // One call per jiffy for 60 s: 10 at boot, then one every 5*HZ jiffies.
    const at = Array.from({ length: 60 * hz }, (_, j) => j);
    // Then 100 s of quiet and a burst of 12 calls at one instant.
    at.push(...Array(12).fill(160 * hz));
    const { allowed } = drive(hz, at);
    const allowedAt = at.filter((_, i) => allowed[i]);
    assert.deepEqual(allowedAt.slice(0, 10), Array(10).fill(0).map((_, j) => j));
    const steady = allowedAt.slice(10).filter((j) => j < 60 * hz);
    assert.deepEqual(steady, Array.from({ length: steady.length }, (_, i) => (i + 1) * 5 * hz));
    assert.equal(steady.length, 11);
    assert.equal(allowedAt.filter((j) => j === 160 * hz).length, 10, 'burst of 10 after a full refill');
  });

  test(`printk_ratelimit: matches a transcription of 2.6.25 __printk_ratelimit on random call times (HZ=${hz})`, () => {
    const rng = Prng.seeded(hz);
    const at: number[] = [];
    let j = 0;
    for (let i = 0; i < 3000; i++) {
      // Bursts at one instant, short gaps and occasional long silences.
      j += rng.weighted([5, 10, 1]) === 0 ? 0 : rng.chance(1, 20) ? rng.below(60 * hz) : rng.below(hz);
      at.push(j);
    }
    const got = drive(hz, at);
    const want = reference(hz, at);
    assert.deepEqual(got.allowed, want.allowed);
    assert.deepEqual(got.lines, want.lines);
    assert.ok(want.lines.some((l) => l.startsWith('printk:')), 'suppression happened');
  });
}

test('printk: a multi-line message becomes lines with one timestamp; the ring drops the oldest', () => {
  const k = new Kernel({ hz: 250, cpus: 1, seed: 1 });
  k.log.capacity = 3;
  k.printk('a\nb\n');
  k.printk('c');
  k.printk('d');
  assert.deepEqual(k.log.lines.map((l) => l.text), ['b', 'c', 'd']);
  assert.equal(k.log.dropped, 1);
});
