// The plain tallies behind /metrics: series found by label values without
// key strings, listed in first-seen order, and histogram buckets counted as
// prom-client counts them (a bound is inclusive, above the last bound only
// the count grows).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { counts, distributions, SeriesIndex } from '../../src/http/tally.js';

test('the same label values give the same series; the labels are named once, in order', () => {
  const answers = counts(['line', 'op', 'code']);
  answers.at('l1', 'echo', 'ok').value++;
  answers.at('l1', 'echo', 'ok').value += 2;
  answers.at('l1', 'echo', 'timeout').value++;
  assert.is(answers.at('l1', 'echo', 'ok').value, 3);
  assert.is(answers.at('l1', 'echo', 'timeout').value, 1);
  assert.equal(answers.at('l1', 'echo', 'ok').labels, { line: 'l1', op: 'echo', code: 'ok' });
  assert.equal(Object.keys(answers.at('l2', 'x', 'y').labels), ['line', 'op', 'code']);
});

test('values that would collide as a joined key stay apart', () => {
  const pairs = counts(['line', 'reason']);
  pairs.at('a,b', 'c').value++;
  pairs.at('a', 'b,c').value += 10;
  assert.is(pairs.at('a,b', 'c').value, 1);
  assert.is(pairs.at('a', 'b,c').value, 10);
  assert.is(pairs.series.length, 2);
});

test('series are listed in the order they were first seen, across every level', () => {
  const requests = counts(['line', 'op']);
  requests.at('l1', 'echo');
  requests.at('l2', 'echo');
  requests.at('l1', 'sign');
  requests.at('l2', 'echo');
  assert.equal(
    requests.series.map((s) => `${s.labels.line}/${s.labels.op}`),
    ['l1/echo', 'l2/echo', 'l1/sign'],
  );
});

test('a bucket bound is inclusive; above the last bound only the count and sum grow', () => {
  const times = distributions(['op'], [0.1, 1]);
  const echo = times.at('echo');
  echo.observe(0.1);
  echo.observe(0.5);
  echo.observe(1);
  echo.observe(7);
  assert.equal(echo.inBucket, [1, 2]);
  assert.is(echo.count, 4);
  assert.is(echo.sum, 0.1 + 0.5 + 1 + 7);
  assert.is(times.at('echo'), echo);
  assert.equal(times.at('sign').inBucket, [0, 0], 'each series has its own buckets');
});

test('a value that is not a number is left out instead of spoiling the sum', () => {
  const times = distributions(['op'], [1]);
  const echo = times.at('echo');
  echo.observe(0.5);
  echo.observe(Number.NaN);
  echo.observe(Number.POSITIVE_INFINITY);
  assert.is(echo.count, 1);
  assert.is(echo.sum, 0.5);
});

test('bad shapes are refused when the tally is made, naming what is wrong', () => {
  assert.throws(() => distributions(['op'], [1, 0.5]), /bucket bounds must ascend: 1, 0.5/);
  assert.throws(() => distributions(['op'], [1, 1]), /must ascend/);
  assert.throws(() => new SeriesIndex([], () => 0), /1 to 3 labels, not 0/);
  assert.throws(() => counts(['a', 'b', 'c', 'd']), /1 to 3 labels, not 4/);
});

test.run();
