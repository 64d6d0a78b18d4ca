import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('kswapd: an order-1 request made while it balances at order 0 makes it balance again at order 1 without sleeping (2.6.25 kswapd loop)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reclaimsim-kswapd-'));
  try {
    const trace = join(dir, 'trace.txt');
    const args = ['bin/reclaimsim.js', 'run', 'flagship', '--set', 'machine.ram=128MiB', '--set', 'workload.copies=2', '--set', 'workload.tree_size=64MiB', '--set', 'swap.size=256MiB', '--set', 'checks.time_limit=3s', '--seed', '7'];
    const r = spawnSync(process.execPath, [...args, '--events', 'vmscan:mm_vmscan_kswapd_sleep,vmscan:mm_vmscan_kswapd_wake', '--trace', trace, '--trace-buffer-kb', '4096'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const events = readFileSync(trace, 'utf8')
      .split('\n')
      .map((l) => /(mm_vmscan_kswapd_sleep|mm_vmscan_kswapd_wake): nid=0(?: order=(\d+))?/.exec(l))
      .filter((m) => m !== null)
      .map((m) => ({ kind: m[1]!, order: Number(m[2] ?? -1) }));
    assert.ok(events.length > 4, 'kswapd ran');
    let again = 0;
    for (let i = 1; i < events.length; i++) {
      const a = events[i - 1]!;
      const b = events[i]!;
      if (a.kind === 'mm_vmscan_kswapd_wake' && b.kind === 'mm_vmscan_kswapd_wake') {
        assert.ok(b.order > a.order, `kswapd balanced twice without sleeping at orders ${a.order} then ${b.order}`);
        again++;
      }
    }
    assert.ok(again > 0, 'at least one larger order was taken without sleeping');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
