import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeSnapshot } from '../../src/audit/analyze.js';
import { escapeHtml, formatAuditHtml, formatAuditJson, formatAuditText } from '../../src/audit/format.js';
import { IO_PATH_CACHES, ioPathEntry } from '../../src/audit/io_path_caches.js';
import { SlabInputError, formatSnapshot, loadSlabSource, parseCpuList, parseSnapshot, readSlabDirectory } from '../../src/audit/sysfs.js';
import type { SlabSnapshot } from '../../src/audit/sysfs.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURE = join(ROOT, 'test/fixtures/slab-x86_64-6.18-2cpu.json');
const BIN = join(ROOT, 'bin/reclaimsim.js');
const LIVE = '/sys/kernel/slab';

function fixture(): SlabSnapshot {
  return parseSnapshot(readFileSync(FIXTURE, 'utf8'), FIXTURE);
}

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'reclaimsim-audit-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Writes a snapshot out as a sysfs-like tree: one directory per cache, one file per attribute, relative symlinks. */
function materialize(snap: SlabSnapshot, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, attrs] of Object.entries(snap.caches)) {
    mkdirSync(join(dir, name));
    for (const [a, v] of Object.entries(attrs)) if (v !== null) writeFileSync(join(dir, name, a), `${v}\n`);
  }
  for (const [name, target] of Object.entries(snap.aliases)) symlinkSync(target, join(dir, name));
}

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Alias groups read straight from the file system, independent of src/audit. */
function groupsFromLinks(dir: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const name of readdirSync(dir)) {
    if (!lstatSync(join(dir, name)).isSymbolicLink()) continue;
    const target = readlinkSync(join(dir, name));
    m.set(target, [...(m.get(target) ?? []), name].sort());
  }
  return m;
}

test('audit fixture: alias groups match the captured symlinks exactly', () => {
  const snap = fixture();
  const r = analyzeSnapshot(snap, { source: FIXTURE });
  const expected = new Map<string, string[]>();
  for (const [alias, target] of Object.entries(snap.aliases)) expected.set(target, [...(expected.get(target) ?? []), alias].sort());
  assert.equal(r.groups.length, expected.size);
  for (const g of r.groups) {
    assert.ok(g.id in snap.caches, `${g.id} is a real cache directory`);
    assert.deepEqual(g.aliases, expected.get(g.id));
  }
  // The kernel's own count agrees: a merged cache has one link per user, aliases = users - 1.
  assert.ok(r.groups.every((g) => g.alias_count_consistent !== false));
  const g256 = r.groups.find((g) => g.id === ':0000256');
  assert.deepEqual(g256?.aliases, ['biovec-16', 'key_jar', 'sgpool-8']);
});

test('audit fixture: geometry agrees with the live kernel on >= 95% of caches, every mismatch has a reason', () => {
  const r = analyzeSnapshot(fixture());
  const g = r.geometry;
  assert.equal(g.profile, 'modern');
  assert.equal(g.nr_cpu_ids, 2);
  assert.equal(g.slub_min_objects, 12); // 4 * (fls(2) + 1)
  assert.equal(g.checked + g.unchecked, r.caches.length);
  assert.ok(g.agreement >= 0.95, `agreement ${g.agreement}`);
  const mismatchedIds = new Set(g.rows.filter((x) => x.status === 'mismatch').map((x) => x.id));
  assert.deepEqual(new Set(g.mismatches.map((m) => m.id)), mismatchedIds);
  assert.equal(g.agree, g.rows.filter((x) => x.status === 'agree').length);
  for (const m of g.mismatches) assert.ok(m.reason.length > 10, `${m.id} has a reason`);
  const text = formatAuditText(r);
  for (const m of g.mismatches) assert.ok(text.includes(`mismatch ${m.id}`), `${m.id} listed in the text report`);
  assert.match(text, /caches agree with sysfs .*: \d+\.\d%/);
});

test('audit fixture: the wrong generation is visibly wrong (2.6.25 rules on a 6.18 kernel; 16 CPUs for 2)', () => {
  const snap = fixture();
  assert.ok(analyzeSnapshot(snap, { profile: '2.6.25' }).geometry.agreement < 0.8);
  const wrongCpus = analyzeSnapshot(snap, { cpus: 16 }).geometry;
  assert.ok(wrongCpus.agreement < 0.8);
  assert.ok(wrongCpus.mismatches.some((m) => m.field === 'order' && /CPU count of .*2/.test(m.reason)));
});

test('audit fixture: biovec and sgpool sharing a slab is flagged high, with one line of explanation', () => {
  const r = analyzeSnapshot(fixture());
  const g = r.at_risk.find((x) => x.id === ':0000256');
  assert.equal(g?.risk, 'high');
  assert.deepEqual(g?.io.map((m) => m.family).sort(), ['bio', 'scsi']);
  assert.deepEqual(g?.strangers, ['key_jar']);
  assert.ok(r.at_risk.every((x) => x.risk_reason !== null && !x.risk_reason.includes('\n')));
  // Groups with no I/O-path user are never flagged.
  assert.ok(r.at_risk.every((x) => x.io.length > 0));
});

test('io path list: every entry is documented and the classic caches are on it', () => {
  for (const e of IO_PATH_CACHES) assert.ok(e.role.length > 0);
  for (const n of ['bio-120', 'biovec-16', 'biovec-max', 'sgpool-8', 'scsi_sense_cache', 'scsi_cmd_cache', 'blkdev_requests', 'radix_tree_node', 'zswap_entry']) {
    assert.ok(ioPathEntry(n), n);
  }
  for (const n of ['kmalloc-128', 'key_jar', 'dentry', 'biography']) assert.equal(ioPathEntry(n), undefined, n);
});

test('audit: a copied directory reads back to the same snapshot as the saved file', (t) => {
  const d = join(tmp(t), 'slab');
  const snap = fixture();
  materialize(snap, d);
  const back = readSlabDirectory(d);
  assert.deepEqual(back.caches, snap.caches);
  assert.deepEqual(back.aliases, snap.aliases);
  assert.equal(back.kernel.release, null);
  // Both a directory and a snapshot file are accepted by --sysfs.
  const out1 = cli(['audit', '--sysfs', d, '--json', '--cpus', '2']);
  const out2 = cli(['audit', '--sysfs', FIXTURE, '--json']);
  assert.equal(out1.code, 0, out1.stderr);
  assert.equal(out2.code, 0, out2.stderr);
  const j1 = JSON.parse(out1.stdout) as { groups: { id: string; aliases: string[] }[]; geometry: { agreement: number } };
  const j2 = JSON.parse(out2.stdout) as { groups: { id: string; aliases: string[] }[]; geometry: { agreement: number } };
  assert.deepEqual(j1.groups.map((g) => [g.id, g.aliases]), j2.groups.map((g) => [g.id, g.aliases]));
  assert.equal(j1.geometry.agreement, j2.geometry.agreement);
  // --save of the directory round-trips through the snapshot format.
  const saved = join(tmp(t), 'snap.json');
  const s = cli(['audit', '--sysfs', d, '--save', saved]);
  assert.equal(s.code, 0, s.stderr);
  assert.deepEqual(parseSnapshot(readFileSync(saved, 'utf8'), saved).caches, snap.caches);
});

test('audit: unreadable or missing attributes are unknown, links inside a cache are never followed', (t) => {
  const d = join(tmp(t), 'slab');
  mkdirSync(join(d, 'kmalloc-64'), { recursive: true });
  for (const [a, v] of Object.entries({ object_size: '64', slab_size: '64', align: '64', order: '0', objs_per_slab: '64', ctor: '', destroy_by_rcu: '0' })) {
    writeFileSync(join(d, 'kmalloc-64', a), `${v}\n`);
  }
  mkdirSync(join(d, 'odd'));
  writeFileSync(join(d, 'odd', 'object_size'), '100\n');
  symlinkSync('/etc/hostname', join(d, 'odd', 'slab_size')); // must not be followed
  mkdirSync(join(d, 'odd', 'align')); // not a file
  const snap = readSlabDirectory(d);
  assert.equal(snap.caches['odd']!['slab_size'], null);
  assert.equal(snap.caches['odd']!['align'], null);
  assert.equal(snap.caches['odd']!['order'], undefined);
  const r = analyzeSnapshot(snap, { cpus: 2 });
  assert.equal(r.geometry.unchecked, 1);
  assert.equal(r.geometry.rows.find((x) => x.id === 'odd')?.status, 'unchecked');
  assert.equal(r.geometry.rows.find((x) => x.id === 'kmalloc-64')?.status, 'agree');
});

test('audit: broken input is a one-line error with exit 1', (t) => {
  const base = tmp(t);
  const cases: [string, string, RegExp][] = [];
  // A truncated snapshot.
  const text = readFileSync(FIXTURE, 'utf8');
  writeFileSync(join(base, 'truncated.json'), text.slice(0, Math.floor(text.length / 2)));
  cases.push(['truncated snapshot', join(base, 'truncated.json'), /truncated or corrupt JSON/]);
  // A JSON file of another kind, and one of an unknown version.
  writeFileSync(join(base, 'other.json'), '{"hello": 1}');
  cases.push(['foreign JSON', join(base, 'other.json'), /not a slab snapshot/]);
  writeFileSync(join(base, 'v99.json'), JSON.stringify({ ...fixture(), version: 99 }));
  cases.push(['unknown version', join(base, 'v99.json'), /unsupported slab snapshot version 99/]);
  // A directory that is not a slab sysfs.
  mkdirSync(join(base, 'notslab', 'sub'), { recursive: true });
  writeFileSync(join(base, 'notslab', 'README'), 'hello\n');
  cases.push(['not a slab directory', join(base, 'notslab'), /not a slab sysfs tree/]);
  // A link loop among aliases.
  const loop = join(base, 'loop');
  mkdirSync(join(loop, ':0000064'), { recursive: true });
  writeFileSync(join(loop, ':0000064', 'object_size'), '64\n');
  symlinkSync(':0000064', join(loop, 'good'));
  symlinkSync('b', join(loop, 'a'));
  symlinkSync('a', join(loop, 'b'));
  cases.push(['link loop', loop, /alias link loop: a -> b -> a/]);
  // A link that leaves the directory.
  const out = join(base, 'outside');
  mkdirSync(join(out, ':0000064'), { recursive: true });
  writeFileSync(join(out, ':0000064', 'object_size'), '64\n');
  symlinkSync('../notslab', join(out, 'escape'));
  cases.push(['link outside the directory', out, /points outside the slab directory/]);
  // A dangling link.
  const dang = join(base, 'dangling');
  mkdirSync(join(dang, ':0000064'), { recursive: true });
  writeFileSync(join(dang, ':0000064', 'object_size'), '64\n');
  symlinkSync(':0000999', join(dang, 'gone'));
  cases.push(['dangling link', dang, /does not exist/]);
  cases.push(['missing path', join(base, 'nope'), /cannot open/]);
  for (const [what, path, re] of cases) {
    assert.throws(() => loadSlabSource(path), (e: unknown) => e instanceof SlabInputError && re.test(e.message), what);
    const r = cli(['audit', '--sysfs', path]);
    assert.equal(r.code, 1, `${what}: exit code`);
    assert.equal(r.stdout, '', what);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `${what}: one line, got ${r.stderr}`);
    assert.match(lines[0]!, /^reclaimsim: /, what);
    assert.match(lines[0]!, re, what);
  }
});

/** A one-cache slab directory (a 64-byte kmalloc cache as 6.18 shows it), with `change` applied. */
function oneCacheDir(dir: string, change: Record<string, string> = {}): void {
  const attrs: Record<string, string> = { object_size: '64', slab_size: '64', align: '64', order: '0', objs_per_slab: '64', objects: '128 N0=128', total_objects: '128 N0=128', slabs: '2 N0=2', aliases: '0', min_partial: '5', cpu_partial: '120', ctor: '', destroy_by_rcu: '0', poison: '0', ...change };
  mkdirSync(join(dir, 'kmalloc-64'), { recursive: true });
  for (const [a, v] of Object.entries(attrs)) writeFileSync(join(dir, 'kmalloc-64', a), `${v}\n`);
}

test('audit: impossible attribute values are one line naming the file or the cache and attribute, with the valid range, exit 1', (t) => {
  const base = tmp(t);
  // [what, attribute changes, attribute named, message]
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['a 1e20-byte object', { object_size: '100000000000000000000' }, 'object_size', /"100000000000000000000" is out of range; expected an object size in bytes from 1 to 4194304 \(4 MiB is the largest slab/],
    ['a 4 MiB + 1 object', { object_size: '4194305', slab_size: '4194312' }, 'object_size', /"4194305" is out of range; expected an object size in bytes from 1 to 4194304/],
    ['an empty object', { object_size: '0' }, 'object_size', /"0" is out of range; expected an object size in bytes from 1 to 4194304/],
    ['a slot of 1e20 bytes', { slab_size: '100000000000000000000' }, 'slab_size', /out of range; expected a slot size in bytes from 1 to 4194304/],
    ['a negative count', { objects: '-3' }, 'objects', /"-3" is not a whole number \(or a total followed by per-node counts such as N0=12\); expected an object count from 0 to 9007199254740991/],
    ['a non-integer count', { slabs: '2.5' }, 'slabs', /"2\.5" is not a whole number .*expected a slab count from 0/],
    ['a bad per-node count', { total_objects: '128 N0=x' }, 'total_objects', /"128 N0=x" is not a whole number/],
    ['a count in exponent notation', { aliases: '1e3' }, 'aliases', /"1e3" is not a whole number; expected an alias count from 0 to 2147483647/],
    ['zero objects per slab', { objs_per_slab: '0' }, 'objs_per_slab', /"0" is out of range; expected a number of objects per slab from 1 to 65535/],
    ['order 11', { order: '11' }, 'order', /"11" is out of range; expected a page order from 0 to 10 \(MAX_PAGE_ORDER with 4 KiB pages\)/],
    ['a negative order', { order: '-1' }, 'order', /"-1" is not a whole number; expected a page order from 0 to 10/],
    ['an empty alignment', { align: '' }, 'align', /"" is not a whole number; expected an alignment in bytes from 1/],
    ['a flag of 2', { poison: '2' }, 'poison', /"2" is not a flag; expected 0 or 1/],
    ['object_size above slab_size', { object_size: '100' }, '', /object_size 100 is larger than slab_size 64; a slot holds its object, so expected object_size <= slab_size/],
    ['align above slab_size', { align: '128' }, '', /align 128 is larger than slab_size 64; .*expected align <= slab_size/],
  ];
  for (const [i, [what, change, attr, re]] of cases.entries()) {
    // As a copied directory: the message names the file (or the cache directory for two attributes).
    const dir = join(base, `dir${i}`);
    oneCacheDir(dir, change);
    const file = attr === '' ? join(dir, 'kmalloc-64') : join(dir, 'kmalloc-64', attr);
    assert.throws(() => loadSlabSource(dir), (e: unknown) => e instanceof SlabInputError && e.message.startsWith(`${file}: `) && re.test(e.message), what);
    // As a snapshot file: the message names the file, the cache and the attribute.
    const snap = fixture();
    Object.assign(snap.caches['kmalloc-64']!, change);
    const json = join(base, `snap${i}.json`);
    writeFileSync(json, formatSnapshot(snap));
    const where = `${json}: cache kmalloc-64${attr === '' ? '' : `, attribute ${attr}`}: `;
    for (const [source, prefix] of [[dir, `${file}: `], [json, where]] as const) {
      const r = cli(['audit', '--sysfs', source]);
      assert.equal(r.code, 1, `${what} (${source}): exit code; ${r.stderr}`);
      assert.equal(r.stdout, '', what);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `${what}: one line, got ${r.stderr}`);
      assert.ok(lines[0]!.startsWith(`reclaimsim: ${prefix}`), `${what}: ${lines[0]}`);
      assert.match(lines[0]!, re, what);
    }
    // --save refuses it too: a snapshot of an impossible tree is never written.
    const saved = join(base, `saved${i}.json`);
    assert.equal(cli(['audit', '--sysfs', dir, '--save', saved]).code, 1, what);
    assert.equal(existsSync(saved), false, what);
  }
});

test('audit: values at the bounds are accepted, and so are the fixture and its copied directory', (t) => {
  const base = tmp(t);
  const edge = join(base, 'edge');
  // The largest object a 4 KiB-page kernel can slab: one per order-10 slab. Counts with per-node parts.
  oneCacheDir(edge, { object_size: '4194304', slab_size: '4194304', align: '4194304', order: '10', objs_per_slab: '1', objects: '0', total_objects: '3 N0=1 N1=2', slabs: '3 N0=1 N1=2', aliases: '0', poison: '1' });
  const tiny = join(base, 'tiny');
  oneCacheDir(tiny, { object_size: '1', slab_size: '8', align: '8', order: '0', objs_per_slab: '512' });
  for (const d of [edge, tiny]) {
    assert.doesNotThrow(() => loadSlabSource(d), d);
    assert.equal(cli(['audit', '--sysfs', d, '--json']).code, 0, d);
  }
  const copy = join(base, 'fixture');
  materialize(fixture(), copy);
  assert.equal(Object.keys(loadSlabSource(copy).caches).length, Object.keys(fixture().caches).length);
  const r = cli(['audit', '--sysfs', FIXTURE]);
  assert.equal(r.code, 0, r.stderr);
});

test('audit: --profile and --cpus are validated', () => {
  const r = cli(['audit', '--sysfs', FIXTURE, '--profile', '2.4']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--profile/);
  const c = cli(['audit', '--sysfs', FIXTURE, '--cpus', '0']);
  assert.equal(c.code, 1);
});

test('audit: HTML report is self-contained, escapes names and is written by the CLI', (t) => {
  const snap = fixture();
  const hostile: SlabSnapshot = { ...snap, aliases: { ...snap.aliases, '<script>alert(1)</script>': ':0000256', 'a&b"c': ':0000256' } };
  const html = formatAuditHtml(analyzeSnapshot(hostile, { source: 'x<y' }));
  assert.ok(!html.includes('<script'));
  assert.ok(html.includes(escapeHtml('<script>alert(1)</script>')));
  assert.ok(html.includes('a&amp;b&quot;c'));
  assert.ok(!/(src|href)=["']?(https?:)?\/\//.test(html), 'no network references');
  assert.match(html, /<section id="slab-audit">/);
  const file = join(tmp(t), 'out', 'audit.html');
  const r = cli(['audit', '--sysfs', FIXTURE, '--html', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(file, 'utf8'), /Geometry check/);
  assert.match(r.stdout, /Alias groups/);
});

test('audit: JSON carries groups with id and aliases, and the geometry check', () => {
  const j = JSON.parse(formatAuditJson(analyzeSnapshot(fixture()))) as Record<string, unknown>;
  const groups = j['groups'] as { id: string; aliases: string[]; slab_size: number; risk: string | null }[];
  assert.ok(groups.length > 0);
  assert.ok(groups.every((g) => typeof g.id === 'string' && Array.isArray(g.aliases) && g.aliases.length > 0));
  const geo = j['geometry'] as { agreement: number; mismatches: unknown[] };
  assert.equal(typeof geo.agreement, 'number');
  assert.ok(Array.isArray(geo.mismatches));
});

test('audit: CPU lists', () => {
  assert.deepEqual(parseCpuList('0-1'), { count: 2, nr_cpu_ids: 2 });
  assert.deepEqual(parseCpuList('0-3,8-11'), { count: 8, nr_cpu_ids: 12 });
  assert.deepEqual(parseCpuList('0'), { count: 1, nr_cpu_ids: 1 });
  assert.equal(parseCpuList('x'), null);
  assert.equal(parseCpuList(null), null);
});

test('audit live: groups match /sys/kernel/slab symlinks and geometry mismatches carry reasons', (t) => {
  if (!existsSync(LIVE)) {
    t.skip('no /sys/kernel/slab on this machine');
    return;
  }
  let snap: SlabSnapshot;
  try {
    snap = readSlabDirectory(LIVE);
  } catch (e) {
    t.skip(`no readable SLUB sysfs: ${(e as Error).message}`);
    return;
  }
  const r = analyzeSnapshot(snap);
  const links = groupsFromLinks(LIVE);
  // Caches may be created or destroyed between the two reads; compare the stable majority.
  let same = 0;
  for (const g of r.groups) if (JSON.stringify(links.get(g.id)) === JSON.stringify(g.aliases)) same++;
  assert.ok(same >= r.groups.length - 2, `${same} of ${r.groups.length} groups match the symlinks`);
  for (const m of r.geometry.mismatches) assert.ok(m.reason.length > 10);
  // The live run through the CLI succeeds and saves a valid snapshot.
  const file = join(tmp(t), 'live.json');
  const c = cli(['audit', '--save', file]);
  assert.equal(c.code, 0, c.stderr);
  const saved = parseSnapshot(readFileSync(file, 'utf8'), file);
  assert.notEqual(saved.kernel.release, null);
  assert.equal(formatSnapshot(saved), readFileSync(file, 'utf8'));
});
