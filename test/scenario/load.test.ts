import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveScenario, scenarioToYaml, type ResolvedScenario } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { estimateHostBytes, HOST_BASE_BYTES, MAX_SCENARIO_BYTES } from '../../src/scenario/schema-limits.js';
import { GiB, MiB } from '../../src/scenario/units.js';

/** Resolves and expects a ScenarioError; returns its message. */
function refuse(text: string | Uint8Array | undefined, sets: string[] = [], file = 'scenario.yaml'): string {
  try {
    resolveScenario({ file, ...(text !== undefined ? { text } : {}), sets });
  } catch (e) {
    assert.ok(e instanceof ScenarioError, `expected ScenarioError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(text)} ${sets.join(' ')} to be refused`);
}

test('load: an empty mapping resolves to the defaults, with units in the names', () => {
  const s = resolveScenario({ text: '{}' });
  assert.equal(s.name, 'custom');
  assert.equal(s.profile, '2.6.25-rc8');
  assert.deepEqual(s.variants, []);
  assert.equal(s.seed, 1);
  assert.equal(s.machine.ram_bytes, 2816 * MiB);
  assert.equal(s.machine.cpus, 2);
  assert.equal(s.machine.hz, 1000);
  assert.equal(s.machine.cache_line_bytes, 64);
  assert.equal(s.device.can_queue, 31);
  assert.equal(s.device.service.seek_ns, 4_000_000);
  assert.equal(s.device.service.transfer_rate_bytes_per_s, 60 * MiB);
  assert.equal(s.device.service.per_command_overhead_ns, 100_000);
  assert.equal(s.swap.size_bytes, 3 * GiB);
  assert.equal(s.workload.copies, 4);
  assert.equal(s.workload.tree_size_bytes, 768 * MiB);
  assert.equal(s.workload.file_size_mix.length, 3);
  assert.deepEqual(s.workload.file_size_mix[0], { size_bytes: 1024, weight: 40 });
  assert.equal(s.workload.boot_read_bytes, 1 * MiB);
  assert.equal(s.machine.completion_cost.per_bio_ns, 500);
  assert.equal(s.workload.copy_bandwidth_bytes_per_s, 200 * MiB);
  assert.equal(s.checks.watchdog_window_ns, 135e9);
  assert.equal(s.checks.time_limit_ns, 600e9);
  assert.equal(s.checks.invariants, 'cheap');
  assert.equal(s.outputs.trace_buffer_kb, 4096);
  assert.deepEqual(s.outputs.proc_snapshots_ns, []);
  // No text at all: defaults plus overrides.
  assert.deepEqual(resolveScenario({ sets: [] }), s);
});

test('load: values from the file and --set overrides, applied in order', () => {
  const s = resolveScenario({
    file: 'x.yaml',
    text: 'name: x\nmachine:\n  ram: 1.5GiB\n  cpus: 4\nvariants: [noop-ctor]\noutputs:\n  proc_snapshots: [1s, 250ms]\n  trace_events: ["kmem:*", block]\n',
    sets: ['machine.ram=2GiB', 'workload.copies=6', 'machine.ram=3GiB', 'variants=slab', 'description=', 'device.service.seek=0'],
  });
  assert.equal(s.machine.ram_bytes, 3 * GiB);
  assert.equal(s.machine.cpus, 4);
  assert.equal(s.workload.copies, 6);
  assert.deepEqual(s.variants, ['slab']);
  assert.equal(s.description, '');
  assert.equal(s.device.service.seek_ns, 0);
  assert.deepEqual(s.outputs.proc_snapshots_ns, [1e9, 250e6]);
  assert.deepEqual(s.outputs.trace_events, ['kmem:*', 'block']);
});

test('load: bad values name file, line, field, expectation and what was found', () => {
  const text = 'name: t\n\nmachine:\n  ram: 1GiB\n\nswap:\n  size: two\n';
  assert.equal(refuse(text), 'scenario.yaml:7: swap.size: expected a size such as 2GiB, got "two"');
  assert.equal(refuse('machine:\n  hz: 200\n'), 'scenario.yaml:2: machine.hz: expected one of 100, 250, 300, 1000, got 200');
  assert.equal(refuse('seed: -1\n'), 'scenario.yaml:1: seed: expected an integer of at least 0, got -1');
  assert.equal(refuse('machine: [1, 2]\n'), 'scenario.yaml:1: machine: expected a mapping with fields such as ram, cpus, hz, got a list of 2 items');
  assert.match(refuse('checks:\n  time_limit: 5\n'), /^scenario\.yaml:2: checks\.time_limit: expected a duration such as 250ms, got 5 \(a duration needs a unit\)$/);
  assert.match(refuse('device:\n  service:\n    transfer_rate: 60MiB\n'), /:3: device\.service\.transfer_rate: .*a rate ends in \/s/);
  assert.match(refuse('variants: [slab, bogus]\n'), /:1: variants\[1\]: expected one of "noop-ctor", .* got "bogus"$/);
  assert.match(refuse('variants: [slab, slab]\n'), /variants\[1\]: expected each value at most once, got "slab" again/);
  assert.match(refuse('workload:\n  file_size_mix:\n    - {size: 4KiB, weight: 0}\n'), /:3: workload\.file_size_mix\[0\]\.weight: expected an integer from 1 to 1000000, got 0$/);
  assert.match(refuse('outputs:\n  trace_events: ["kmem:kmallo"]\n'), /outputs\.trace_events\[0\]: .*did you mean kmem:kmalloc\?/);
  assert.match(refuse('machine:\n  ram: 1.3B\n'), /not a whole number of bytes/);
});

test('load: unknown fields are refused with a did-you-mean suggestion', () => {
  assert.equal(refuse('machine:\n  ram: 2GiB\n  rma: 3\n'), 'scenario.yaml:3: machine.rma: unknown field; did you mean machine.ram?');
  assert.equal(refuse('ram: 2GiB\n'), 'scenario.yaml:1: ram: unknown field; did you mean machine.ram?');
  assert.equal(refuse('profle: "2.6.25"\n'), 'scenario.yaml:1: profle: unknown field; did you mean profile?');
  assert.match(refuse('device:\n  service:\n    seek_jiter: 1ms\n'), /:3: device\.service\.seek_jiter: unknown field; did you mean device\.service\.seek_jitter\?/);
  assert.match(refuse('zzzzzzzz: 1\n'), /zzzzzzzz: unknown field; expected one of name, description, profile/);
  // The earliest problem in the file is reported.
  assert.match(refuse('machine:\n  cpus: 0\nbogus: 1\n'), /^scenario\.yaml:2: machine\.cpus/);
});

test('load: scenarios that cannot work are refused with the reason', () => {
  assert.equal(
    refuse('machine:\n  ram: 1GiB\nworkload:\n  copies: 4\n  tree_size: 600MiB\nswap:\n  size: 256MiB\n'),
    'scenario.yaml:7: swap.size: 256MiB is too small for 4 copies of 600MiB on 1GiB RAM; need at least 1977MiB (the tmpfs data, and the 601MiB of dentries and inodes its files and directories hold, must fit in RAM plus swap)',
  );
  assert.match(refuse('workload:\n  copies: 64\n'), /^scenario\.yaml:2: swap\.size: 3GiB is too small for 64 copies/);
  assert.match(refuse('machine:\n  cpus: 0\n'), /machine\.cpus: expected an integer from 1 to 64, got 0 \(a machine needs at least one CPU\)/);
  assert.match(refuse('machine:\n  ram: 32MiB\n'), /machine\.ram: expected a size from 64MiB to 1TiB, got "32MiB" \(RAM below the kernel's minimum/);
  assert.match(refuse('device:\n  can_queue: 0\n'), /device\.can_queue: .*got 0 \(hosts\.c rejects can_queue 0\)/);
  assert.match(refuse('device:\n  queue_depth: 0\n'), /device\.queue_depth: .*got 0/);
  assert.match(refuse('variants: [slab, slub_nomerge]\n'), /variants: slub_nomerge applies to SLUB only/);
  assert.match(refuse('outputs:\n  proc_snapshots: [1s, 10000s]\n'), /:2: outputs\.proc_snapshots\[1\]: snapshot at 10000s is after checks\.time_limit/);
  // queue_depth above can_queue is fine.
  const s = resolveScenario({ text: 'device:\n  can_queue: 1\n  queue_depth: 31\n' });
  assert.equal(s.device.queue_depth, 31);
});

test('load: --set errors say --set and the path', () => {
  assert.equal(refuse('{}', ['machine.ram=two']), '--set machine.ram: expected a size such as 2GiB, got "two"');
  assert.equal(refuse('{}', ['machine.rma=3']), '--set machine.rma: unknown field; did you mean machine.ram?');
  assert.equal(refuse('{}', ['machine=3']), '--set machine: machine is a section; set one of its fields, such as machine.ram');
  assert.equal(refuse('{}', ['machine.ram']), '--set machine.ram: expected path=value, such as machine.ram=2GiB');
  assert.match(refuse('{}', ['machine.ram.x=1']), /--set machine\.ram\.x: machine\.ram is a single value/);
  assert.match(refuse('{}', ['__proto__.x=1']), /--set __proto__\.x: unknown field/);
  assert.match(refuse('{}', ['machine.ram=[[[']), /^--set machine\.ram:1: invalid YAML/);
  assert.match(refuse(undefined, ['workload.copies=64']), /^--set workload\.copies: swap\.size: 3GiB is too small for 64 copies/);
  // The file's own line is blamed when the file is what is wrong.
  assert.match(refuse('swap:\n  size: 1GiB\n', ['workload.copies=5']), /^--set workload\.copies: swap\.size: 1GiB is too small/);
});

test('load: YAML problems are one line with the line number', () => {
  assert.equal(refuse('a: 1\nb: 2\na: 3\n'), 'scenario.yaml:3: duplicate field "a"');
  assert.equal(refuse('machine:\n  cpus: 1\n  cpus: 2\n'), 'scenario.yaml:3: duplicate field "cpus"');
  assert.match(refuse('x: "unterminated\n'), /^scenario\.yaml:\d+: invalid YAML: /);
  assert.match(refuse('a: 1\n---\nb: 2\n'), /^scenario\.yaml:2: more than one YAML document/);
  assert.match(refuse('machine: !!binary aGVsbG8=\n'), /^scenario\.yaml:1: invalid YAML: Unresolved tag/);
  assert.match(refuse('? [a, b]\n: 1\n'), /field names must be plain strings/);
  assert.match(refuse(''), /^scenario\.yaml: empty scenario/);
  assert.match(refuse('# just a comment\n'), /^scenario\.yaml: empty scenario/);
  assert.match(refuse('- a\n'), /^scenario\.yaml:1: expected a mapping of scenario fields .* got a list of 1 item$/);
  assert.match(refuse('42\n'), /got 42$/);
  assert.match(refuse('<<: {seed: 2}\n'), /^scenario\.yaml:1: \["<<"\]: unknown field/);
});

test('load: non-UTF-8 bytes are refused with the line of the first bad byte', () => {
  const enc = new TextEncoder();
  const bytes = new Uint8Array([...enc.encode('name: x\nmachine:\n  ram: '), 0xff, ...enc.encode('\n')]);
  assert.equal(refuse(bytes), 'scenario.yaml:3: not valid UTF-8 text (byte 0xff at offset 24); scenario files must be UTF-8');
  for (const seq of [[0xc0, 0x80], [0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) {
    assert.match(refuse(new Uint8Array([...enc.encode('name: x\n'), ...seq])), /not valid UTF-8/);
  }
  // A BOM and real UTF-8 are fine.
  const s = resolveScenario({ text: new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('description: "µs and — dashes"\n')]) });
  assert.equal(s.description, 'µs and — dashes');
});

test('load: deep nesting is refused before parsing, quickly', () => {
  for (const text of ['a: ' + '['.repeat(100_000), 'a: ' + '{a: '.repeat(50_000), '- '.repeat(300_000) + 'x\n', 'a: ' + '[ "]", '.repeat(1000)]) {
    const t0 = process.hrtime.bigint();
    assert.match(refuse(text), /^scenario\.yaml:1: nested (more than 32 levels deep|or indented too deeply)/);
    assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 < 2000);
  }
  let block = '';
  for (let i = 0; i < 1000; i++) block += `${' '.repeat(i)}a:\n`;
  assert.match(refuse(block), /nested or indented too deeply/);
});

test('load: an alias bomb is refused quickly with bounded memory', () => {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 12; i++) {
    const p = String.fromCharCode(96 + i);
    const c = String.fromCharCode(97 + i);
    levels.push(`${c}: &${c} [${Array(9).fill(`*${p}`).join(',')}]`);
  }
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  assert.match(refuse(levels.join('\n') + '\n'), /^scenario\.yaml:2: aliases expand too much \(more than 100 alias uses\)/);
  assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 < 1000, 'refused within a second');
  assert.ok(process.memoryUsage().heapUsed - heap0 < 64 * MiB, 'bounded memory');
  // A few aliases are fine (they still have to validate).
  const s = resolveScenario({ text: 'variants: &v [noop-ctor]\ndescription: &d hi\nname: &n x\nprofile: "2.6.25"\n' });
  assert.deepEqual(s.variants, ['noop-ctor']);
});

test('load: text over the size limit is refused before parsing', () => {
  const big = 'a'.repeat(MAX_SCENARIO_BYTES + 1);
  assert.match(refuse(big), /^scenario\.yaml: file is .*; scenario files are limited to 1MiB$/);
  assert.match(refuse(new Uint8Array(MAX_SCENARIO_BYTES + 1)), /limited to 1MiB/);
  // Multi-byte characters count as bytes.
  assert.match(refuse('µ'.repeat(MAX_SCENARIO_BYTES / 2 + 1)), /limited to 1MiB/);
});

function roundTrip(s: ResolvedScenario): void {
  const again = resolveScenario({ file: 'resolved.yaml', text: scenarioToYaml(s, '# header') });
  assert.deepEqual(again, s);
}

test('load: the resolved form as YAML resolves to the same scenario', () => {
  roundTrip(resolveScenario({ text: '{}' }));
  roundTrip(
    resolveScenario({
      text: '{}',
      sets: ['machine.ram=1.5GiB', 'device.service.seek=1.5ms', 'outputs.proc_snapshots=[0, 90s, 2m]', 'outputs.trace_events=["*:*", kmem]', 'variants=[noop-ctor, single-cache]', 'workload.file_size_mix=[{size: 1000, weight: 3}]', 'swap.size=0', 'workload.copies=1', 'workload.tree_size=4KiB'],
    }),
  );
});

test('load: host-memory estimate grows with RAM and keeps the base cost', () => {
  const small = resolveScenario({ text: '{}', sets: ['machine.ram=64MiB', 'workload.copies=1', 'workload.tree_size=32MiB', 'swap.size=0'] });
  const big = resolveScenario({ text: '{}', sets: ['machine.ram=64GiB'] });
  assert.ok(estimateHostBytes(small) >= HOST_BASE_BYTES);
  assert.ok(estimateHostBytes(big) > estimateHostBytes(small) + (16 * 1024 * 1024 * 24) / 2);
  assert.ok(estimateHostBytes(resolveScenario({ text: '{}' })) < 256 * MiB, 'the flagship fits on any host');
});

test('load: an alias without an anchor, a sampling interval under 1 ms and a sub-second hung-task timeout are refused with what to do', () => {
  assert.equal(refuse('seed: *nope\n'), 'scenario.yaml:1: alias *nope has no anchor before it; define it with &nope first, or write the value itself');
  assert.match(refuse('outputs:\n  metrics_interval: 1ns\n'), /^scenario\.yaml:2: outputs\.metrics_interval: 1ns is below the 1ms the sampler allows/);
  assert.match(refuse('checks:\n  hung_task_timeout: 999ms\n'), /^scenario\.yaml:2: checks\.hung_task_timeout: 999ms is below 1s: khungtaskd's timeout is whole seconds/);
  // The edges themselves are fine: 0 turns each off, 1ms and 1s are the smallest settings.
  for (const text of ['outputs:\n  metrics_interval: 0\n', 'outputs:\n  metrics_interval: 1ms\n', 'checks:\n  hung_task_timeout: 0\n', 'checks:\n  hung_task_timeout: 1s\n']) resolveScenario({ text });
});

test('load: a disk whose largest request outlasts the watchdog window is refused with the rate that would do (a busy disk is not a livelock)', () => {
  assert.match(
    refuse('device:\n  service:\n    transfer_rate: 1KiB/s\n'),
    /^scenario\.yaml:3: device\.service\.transfer_rate: at 1KiB\/s the largest request \(512KiB\) takes 512\.006 s with its seek and overhead, not less than checks\.watchdog_window \(135s\), so a busy disk would look like a livelock; give at least 4KiB\/s, lower device\.max_sectors/,
  );
  // The rate it names passes even where rounding would land exactly on the window.
  assert.match(refuse('device:\n  service:\n    transfer_rate: 2KiB/s\nchecks:\n  watchdog_window: 128006100us\n'), /give at least 5KiB\/s,/);
  resolveScenario({ text: 'device:\n  service:\n    transfer_rate: 5KiB/s\nchecks:\n  watchdog_window: 128006100us\n' });
  // A window shorter than the seek and overhead alone: only those or the window can help.
  assert.match(refuse('checks:\n  watchdog_window: 5ms\n'), /^scenario\.yaml:2: device\.service\.transfer_rate: at 60MiB\/s the largest request .* takes 0\.014 s .*; the seek, its jitter and the per-command overhead alone take 6100us: raise checks\.watchdog_window or lower device\.service\.seek, seek_jitter or per_command_overhead$/);
  // The request size is what the queue builds: max_sectors above BLK_DEF_MAX_SECTORS still gives
  // 512 KiB requests, and sg_tablesize one-page segments bound it too.
  resolveScenario({ text: 'device:\n  max_sectors: 2048\n  service:\n    transfer_rate: 4KiB/s\n' });
  resolveScenario({ text: 'device:\n  max_sectors: 65535\nchecks:\n  watchdog_window: 200ms\n' });
  resolveScenario({ text: 'device:\n  sg_tablesize: 2\n  service:\n    transfer_rate: 1KiB/s\n' });
  resolveScenario({ text: 'device:\n  max_sectors: 8\n  service:\n    transfer_rate: 1KiB/s\n' });
  resolveScenario({ text: 'device:\n  service:\n    transfer_rate: 4KiB/s\n' });
});

test('load: common unit and shape slips get the fix in the message (bare bytes, decimal units, bits per second, one value for a list)', () => {
  assert.match(refuse('machine:\n  ram: 1536\n'), /machine\.ram: expected a size from 64MiB to 1TiB, got 1536 \(.*a number without a unit is bytes; write 1536MiB for MiB\)$/);
  assert.equal(refuse('machine:\n  ram: 1GB\n'), 'scenario.yaml:2: machine.ram: expected a multiple of 4KiB, got "1GB" (GB is a power of 1000; write 1GiB for the power of 1024)');
  assert.match(refuse('device:\n  service:\n    transfer_rate: 30Mbps\n'), /got "30Mbps" \(a rate is in bytes per second, such as 4MiB\/s, not bits\)$/);
  assert.match(refuse('variants: noop-ctor\n'), /variants: expected a list .* got "noop-ctor" \(write one value as a list: \[noop-ctor\]\)$/);
  // What the hints suggest is accepted.
  for (const text of ['machine:\n  ram: 1536MiB\n', 'machine:\n  ram: 1GiB\n', 'variants: [noop-ctor]\n']) resolveScenario({ text });
});
