/**
 * docs/walkthrough.md quotes real outputs. Each ```console block starts with a command
 * (`$ reclaimsim ...`, run in a scratch directory, or `$ cat FILE` for a file an earlier command
 * wrote there) and quotes its output: every quoted line must appear, in order; `...` skips any
 * number of lines, and a line ending in ` ...` matches a line that starts with what precedes it.
 * Without a `...` between them, quoted lines must be adjacent. So the walkthrough stays true as
 * the model changes, or this test says which line went stale.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../cli/scenario-cli-helpers.js';

interface Block {
  command: string;
  expected: string[];
  line: number;
}

/** The ```console blocks of a Markdown file. */
export function consoleBlocks(md: string): Block[] {
  const lines = md.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```console') continue;
    const start = i + 1;
    const body: string[] = [];
    for (i = start; i < lines.length && lines[i]!.trim() !== '```'; i++) body.push(lines[i]!);
    const [first, ...rest] = body;
    assert.ok(first?.startsWith('$ '), `walkthrough line ${start + 1}: a console block starts with "$ command"`);
    blocks.push({ command: first.slice(2), expected: rest, line: start + 1 });
  }
  return blocks;
}

/** Null if `expected` is found in `actual` as described above, else the first line that is not. */
export function findQuoted(expected: readonly string[], actual: readonly string[]): string | null {
  let j = 0;
  let gap = false;
  for (const raw of expected) {
    const e = raw.trimEnd();
    if (e === '...') {
      gap = true;
      continue;
    }
    const prefix = e.endsWith(' ...') ? e.slice(0, -4) : null;
    const matches = (a: string): boolean => (prefix === null ? a.trimEnd() === e : a.startsWith(prefix));
    let k = j;
    if (gap) while (k < actual.length && !matches(actual[k]!)) k++;
    if (k >= actual.length || !matches(actual[k]!)) return e;
    j = k + 1;
    gap = false;
  }
  return null;
}

test('findQuoted: order, adjacency, skips and cut lines', () => {
  const out = ['a', 'b', 'c long line', 'd'];
  assert.equal(findQuoted(['a', 'b'], out), null);
  assert.equal(findQuoted(['a', 'c long line'], out), 'c long line', 'not adjacent without ...');
  assert.equal(findQuoted(['a', '...', 'c long ...', 'd'], out), null);
  assert.equal(findQuoted(['...', 'd', 'a'], out), 'a', 'order');
  assert.equal(findQuoted(['...', 'e'], out), 'e');
});

test('docs/walkthrough.md: every quoted output is what the commands print today', { timeout: 300_000 }, () => {
  const md = readFileSync(join(root, 'docs', 'walkthrough.md'), 'utf8');
  const blocks = consoleBlocks(md);
  assert.ok(blocks.length >= 6, `${blocks.length} console blocks`);
  const dir = mkdtempSync(join(tmpdir(), 'reclaimsim-walkthrough-'));
  const bin = join(root, 'bin', 'reclaimsim.js');
  for (const b of blocks) {
    let output: string;
    const words = b.command.split(/\s+/);
    if (words[0] === 'reclaimsim') {
      try {
        output = execFileSync(process.execPath, [bin, ...words.slice(1)], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      } catch (e) {
        // A livelock exits 5 and still prints its whole report.
        const err = e as { status?: number; stdout?: string };
        assert.equal(err.status, 5, `walkthrough line ${b.line}: ${b.command} failed`);
        output = err.stdout ?? '';
      }
    } else if (words[0] === 'cat' && words.length === 2) {
      output = readFileSync(join(dir, words[1]!), 'utf8');
    } else {
      assert.fail(`walkthrough line ${b.line}: only "reclaimsim ..." and "cat FILE" blocks are checked, not "${b.command}"`);
    }
    const stale = findQuoted(b.expected, output.split('\n'));
    assert.equal(stale, null, `walkthrough line ${b.line} (${b.command}): this quoted line is not in the output: ${stale}`);
  }
});
