import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstDifference } from '../../src/explore/replay.js';

test('replay: firstDifference names the first differing key and shows both values from just before they part', () => {
  const common = 'no forward progress since 3.019567 s; 95 pages under writeback; ';
  const a = JSON.stringify({ verdict: 'LIVELOCK', reason: `${common}37 page allocation failure reports`, events: 1 });
  const b = JSON.stringify({ verdict: 'LIVELOCK', reason: `${common}38 page allocation failure reports`, events: 2 });
  const d = firstDifference(a, b);
  assert.match(d, /^reason: stored \.\.\..{19}37 page allocation failure reports", replayed \.\.\..{19}38 page allocation failure reports"$/, d);
  assert.equal(firstDifference(JSON.stringify({ a: 1 }), JSON.stringify({ a: 1, timeline: [] })), 'timeline: stored nothing, replayed []');
  assert.equal(firstDifference(JSON.stringify({ a: 1, b: 2 }), JSON.stringify({ b: 2, a: 1 })), 'key order');
  // A short value differing at its start is shown whole.
  assert.equal(firstDifference(JSON.stringify({ n: 5 }), JSON.stringify({ n: 6 })), 'n: stored 5, replayed 6');
});
