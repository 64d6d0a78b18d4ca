/**
 * `reclaimsim reproduce`'s table counts the runs stopped by checks.time_limit (verdict LIMIT) in
 * its `limit` column and its rows' `limit` key, and says what they mean under the table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReproduceTable, REPRODUCE_COLUMNS, reproduceNotes, reproduceRow } from '../../src/cli/reproduce-table.js';
import { runScenario } from '../../src/scenario/run.js';
import { smallParams, SMALL_SETS } from '../report/helpers.js';
import { cli } from './scenario-cli-helpers.js';
import { REPRODUCE_ROWS } from '../../src/cli/commands/run.js';

/** A text table's cells, by column title (cells are separated by two or more spaces). */
function cells(lines: readonly string[]): Record<string, string>[] {
  const head = lines[0]!.split(/ {2,}/);
  return lines.slice(1).map((l) => {
    const c = l.split(/ {2,}/);
    assert.equal(c.length, head.length, `one cell per column: ${l}`);
    return Object.fromEntries(head.map((h, i) => [h, c[i]!]));
  });
}

test('reproduce row: a run cut by checks.time_limit counts under limit, in the row and in its text line (short runs)', () => {
  const completed = runScenario(smallParams({ seed: 1 })).result;
  const cutParams = smallParams({ seed: 2 }, ['checks.time_limit=1s']);
  const cut = runScenario(cutParams).result;
  assert.equal(completed.verdict, 'COMPLETED');
  assert.equal(cut.verdict, 'LIMIT');
  const row = reproduceRow({ profile: '2.6.25-rc8', variants: [] }, [completed, cut]);
  assert.deepEqual([row.runs, row.livelock, row.deadlock, row.completed, row.limit], [2, 0, 0, 1, 1]);
  // The JSON row has the key beside the other verdicts.
  assert.equal(JSON.parse(JSON.stringify(row)).limit, 1);
  const only = reproduceRow({ profile: '2.6.25', variants: [] }, [completed]);
  assert.equal(only.limit, 0);

  const lines = formatReproduceTable([row, only]);
  assert.deepEqual(lines[0]!.split(/ {2,}/), [...REPRODUCE_COLUMNS]);
  assert.deepEqual(REPRODUCE_COLUMNS.slice(1, 6), ['runs', 'livelock', 'deadlock', 'completed', 'limit']);
  const [r1, r2] = cells(lines);
  assert.equal(r1!['limit'], '1');
  assert.equal(r1!['completed'], '1');
  // Shown at 0 too, as deadlock is: every verdict has its column.
  assert.equal(r2!['limit'], '0');

  // The note names the limit; rc8's "did not livelock" explanation is not given for a row cut short.
  const notes = reproduceNotes([row, only], cutParams).join('\n');
  assert.match(notes, /NOTE: 1 of 3 runs stopped at a limit \(checks\.time_limit 1s or checks\.event_limit \d+\)/);
  assert.doesNotMatch(notes, /did not livelock/);
  // Without a LIMIT run there is no such note, and the rc8 note comes back.
  const clean = reproduceNotes([only], cutParams).join('\n');
  assert.doesNotMatch(clean, /stopped at a limit/);
  assert.match(clean, /the 2\.6\.25-rc8 row did not livelock/);
});

test('cli reproduce: with checks.time_limit=1s every run is LIMIT, counted in the text table and in --json (short scenario, --seeds 1)', async () => {
  const SMALL = [...SMALL_SETS.flatMap((s) => ['--set', s]), '--set', 'checks.time_limit=1s'];
  const [json, text] = await Promise.all([
    cli(['reproduce', ...SMALL, '--seeds', '1', '--workers', '2', '--json'], [], 120_000),
    cli(['reproduce', ...SMALL, '--seeds', '1', '--workers', '2'], [], 120_000),
  ]);
  assert.equal(json.status, 0, json.stderr);
  assert.equal(text.status, 0, text.stderr);
  const rows = (JSON.parse(json.stdout) as { rows: { runs: number; livelock: number; deadlock: number; completed: number; limit: number }[] }).rows;
  const n = REPRODUCE_ROWS.length;
  assert.equal(rows.length, n);
  for (const r of rows) assert.deepEqual([r.runs, r.livelock, r.deadlock, r.completed, r.limit], [1, 0, 0, 0, 1]);

  const lines = text.stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('profile+variants'));
  assert.ok(start > 0, text.stdout);
  const table = cells(lines.slice(start, start + n + 1));
  assert.deepEqual(table.map((r) => r['limit']), Array<string>(n).fill('1'));
  assert.deepEqual(table.map((r) => r['completed']), Array<string>(n).fill('0'));
  assert.match(text.stdout, new RegExp(`\nNOTE: ${n} of ${n} runs stopped at a limit \\(checks\\.time_limit 1s `));
  assert.doesNotMatch(text.stdout, /did not livelock/);
});
