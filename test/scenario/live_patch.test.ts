/**
 * live_patch.at: Hugh Dickins' fix applied to a running rc8 machine. A latched machine is only
 * stuck on a policy, so the same state drains once __scsi_get_command may use the free list; on a
 * kernel that already falls back the patch changes nothing; the watchdog gives the patch its window.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../src/scenario/run.js';
import { DEFAULT_PARAMS, paramsFromScenario, type Profile, type RunParams } from '../../src/scenario/params.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { InvariantChecker } from '../../src/check/invariants.js';
import type { RunResult } from '../../src/scenario/result.js';
import type { Machine } from '../../src/scenario/machine.js';

function run(profile: Profile, extra: Partial<RunParams> = {}): { r: RunResult; m: Machine } {
  const { result, machine } = runScenario({ ...DEFAULT_PARAMS, profile, seed: 1, ...extra }, { check: 'cheap' });
  new InvariantChecker(machine, 'full').check();
  return { r: result, m: machine };
}

const at = (r: RunResult, event: string): number | undefined => r.timeline.find((e) => e.event === event)?.t_ns;

test('live patch: a latched rc8 machine drains once the fix is in, through the free-list command one at a time', () => {
  const { r: latched } = run('2.6.25-rc8');
  assert.equal(latched.verdict, 'LIVELOCK');
  const { r, m } = run('2.6.25-rc8', { live_patch_ns: 10e9 });
  assert.equal(r.verdict, 'COMPLETED');
  assert.ok(latched.pages_copied < 786432);
  assert.equal(r.pages_copied, 786432);
  // Until the patch the run is the latched one: no free-list use, no completed swap write.
  assert.ok(latched.timeline.every((e) => e.event !== 'free_list_used' && e.event !== 'swap_write_done'));
  assert.equal(at(r, 'sense_alloc_failed'), at(latched, 'sense_alloc_failed'));
  assert.equal(at(r, 'live_patch'), 10e9);
  // kblockd's unplug timer retries every 3 jiffies, so the first prep after the patch takes the
  // free-list command within 3 ms, and its write completes soon after.
  const firstUse = at(r, 'free_list_used')!;
  assert.ok(firstUse > 10e9 && firstUse <= 10e9 + 3e6, `first free-list use at ${firstUse}`);
  assert.ok(at(r, 'swap_write_done')! > firstUse);
  assert.ok(r.free_list_uses > 0);
  assert.equal(m.sdev.stat.max_device_busy_free_list, 1, 'the host works one command at a time while the free-list command is out');
  assert.equal(r.hung_task_reports, 0);
  // The squeeze that latched rc8 ends once the patch is in.
  assert.equal(r.squeezes.length, 1);
  assert.ok(r.squeezes[0]!.end_ns !== null && r.squeezes[0]!.end_ns > 10e9);
  // The reason says the run was rescued, and how long it had stood still.
  assert.match(r.reason, /; live patch \(live_patch\.at\) at 10\.000000 s, 6\.98 s after the last forward progress before it \(3\.019567 s\)$/);
  // The log says who applied it: the simulator, not the kernel.
  assert.equal(m.k.log.lines.filter((l) => l.text.startsWith('reclaimsim: live patch:')).length, 1);
});

test('live patch: the watchdog counts its window from the patch, so a patch after the usual verdict still gets one', () => {
  // With a 20 s window rc8 would be judged at 24 s; a patch at 30 s holds the verdict back.
  const window = 20e9;
  const { r: plain } = run('2.6.25-rc8', { watchdog_window_ns: window });
  assert.equal(plain.verdict, 'LIVELOCK');
  assert.ok(plain.sim_time_ns < 30e9);
  const { r } = run('2.6.25-rc8', { watchdog_window_ns: window, live_patch_ns: 30e9 });
  assert.equal(r.verdict, 'COMPLETED');
  assert.equal(at(r, 'live_patch'), 30e9);
});

test('live patch: on a kernel that already falls back it changes nothing but one event', () => {
  const { r: plain } = run('2.6.25');
  const { r, m } = run('2.6.25', { live_patch_ns: 10e9 });
  assert.equal(at(r, 'live_patch_noop'), 10e9);
  assert.equal(at(r, 'live_patch'), undefined);
  assert.equal(r.verdict, plain.verdict);
  assert.equal(r.time_to_finish_ns, plain.time_to_finish_ns);
  assert.equal(r.pswpout, plain.pswpout);
  assert.equal(r.free_list_uses, plain.free_list_uses);
  assert.equal(r.events, plain.events + 1);
  assert.equal(r.reason, plain.reason);
  assert.equal(m.k.log.lines.filter((l) => l.text.startsWith('reclaimsim: live patch:')).length, 0);
});

test('live patch: the field resolves to live_patch_ns, 0 means never, and a patch without a whole window before the time limit is refused', () => {
  const p = paramsFromScenario(resolveScenario({ text: 'live_patch:\n  at: 90s\n' }));
  assert.equal(p.live_patch_ns, 90e9);
  assert.equal('live_patch_ns' in paramsFromScenario(resolveScenario({ text: '{}' })), false);
  // 465 s + the 135 s window is the 600 s limit: accepted; a second later is not.
  assert.equal(paramsFromScenario(resolveScenario({ text: 'live_patch:\n  at: 465s\n' })).live_patch_ns, 465e9);
  const refused = (text: string, re: RegExp): void =>
    assert.throws(() => resolveScenario({ file: 's.yaml', text }), (e: unknown) => e instanceof ScenarioError && re.test(e.message) && !e.message.includes('\n'), text);
  refused('live_patch:\n  at: 466s\n', /^s\.yaml:2: live_patch\.at: a live patch at 466s leaves less than checks\.watchdog_window \(135s\) before checks\.time_limit \(10m\), so the watchdog could not judge the patched machine; patch by 465s or raise checks\.time_limit$/);
  refused('live_patch:\n  at: 700s\n', /live_patch\.at: a live patch at 700s leaves less than/);
});
