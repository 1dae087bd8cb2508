// The README's pattern table and precedence list are the ones in src/status/patterns.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { LINE_PRECEDENCE, levelAt, patternTableMarkdown, PATTERN_TIMING, simpleBlink } from '../../src/status/patterns.js';

const readme = readFileSync('README.md', 'utf8');

test('the README pattern table is generated from the one table', () => {
  const m = /<!-- panel-patterns:start -->\n([\s\S]*?)\n<!-- panel-patterns:end -->/.exec(readme);
  assert.ok(m, 'README has the panel-patterns block');
  assert.fixture(m![1]!, patternTableMarkdown());
});

test('the README precedence list is LINE_PRECEDENCE, in order', () => {
  const section = readme.slice(readme.indexOf('## Front panel'));
  const listed = [...section.matchAll(/^\d+\. `([a-z-]+)`/gm)].map((x) => x[1]);
  assert.equal(listed, [...LINE_PRECEDENCE]);
});

test('patterns over time: steady, 1 Hz, 5 Hz, the locate double flash', () => {
  const sample = (p: keyof typeof PATTERN_TIMING, ms: number, step = 10): string => Array.from({ length: ms / step }, (_, i) => (levelAt(p, i * step) ? '1' : '0')).join('');
  assert.is(sample('off', 1000), '0'.repeat(100));
  assert.is(sample('on', 1000), '1'.repeat(100));
  assert.is(sample('slow-blink', 1000, 100), '1111100000');
  assert.is(sample('fast-blink', 400, 50), '11001100');
  assert.is(sample('locate', 1000, 20), '1111' + '000000' + '1111' + '0'.repeat(36));
  assert.equal([simpleBlink('slow-blink'), simpleBlink('fast-blink'), simpleBlink('locate'), simpleBlink('on')], [{ onMs: 500, offMs: 500 }, { onMs: 100, offMs: 100 }, undefined, undefined]);
});

test.run();
