// parseConfigText / loadConfig: JSON syntax errors and unreadable files are
// ConfigErrors whose message lists `file: field: reason` lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig, parseConfigText } from '../../src/config/load.js';

/** The ConfigError `fn` throws (fails the test if it throws anything else or nothing). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw new Error(`expected a ConfigError, got ${String(e)}`);
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const load = suite('config load');

load('valid text gives the validated config', () => {
  const c = parseConfigText('a.json', JSON.stringify({ router: 'r1', lines: [{ name: 'L1', path: '/dev/a' }] }));
  assert.is(c.file, 'a.json');
  assert.is(c.lines[0]?.maxOutstanding, 8);
});

load('a JSON syntax error is reported for the file, with line and column when V8 gives a position', () => {
  const text = '{\n  "router": "r1"\n  "lines": []\n}\n';
  const e = configError(() => parseConfigText('site.json', text));
  assert.is(e.file, 'site.json');
  assert.is(e.problems.length, 1);
  assert.is(e.problems[0]?.field, '(file)');
  assert.match(e.problems[0]!.reason, /not valid JSON at line 3, column 3/);
  assert.match(e.message, /^site\.json: \(file\): is not valid JSON/);
});

load('a JSON syntax error without a position is still reported', () => {
  const e = configError(() => parseConfigText('site.json', '{"router": "r1", "lines": [,]}'));
  assert.is(e.problems[0]?.field, '(file)');
  assert.match(e.problems[0]!.reason, /not valid JSON/);
  const empty = configError(() => parseConfigText('site.json', ''));
  assert.match(empty.message, /site\.json: \(file\): is not valid JSON/);
});

load('validation problems become one `file: field: reason` line each', () => {
  const text = JSON.stringify({ router: 'r1', lines: [{ name: 'L1', path: '/dev/a', baudRate: 1 }], ops: { echo: { ttlMs: 0 } } });
  const e = configError(() => parseConfigText('site.json', text));
  const lines = e.message.split('\n');
  assert.is(lines.length, 2);
  assert.ok(lines.some((l) => l.startsWith('site.json: lines[0].baudRate: must be a whole number from 50')), e.message);
  assert.ok(lines.some((l) => l.startsWith('site.json: ops.echo.ttlMs: must be a whole number from 1')), e.message);
  assert.is(e.name, 'ConfigError');
});

load('a missing file gives a clear message naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'persomux-config-'));
  try {
    const file = join(dir, 'nope.json');
    const e = configError(() => loadConfig(file));
    assert.is(e.message, `${file}: (file): cannot be read: does not exist`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

load('loadConfig reads and validates a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'persomux-config-'));
  try {
    const file = join(dir, 'site.json');
    writeFileSync(file, JSON.stringify({ router: 'shop-1', lines: [{ name: 'L1', path: '/dev/a' }], ops: { echo: { retry: true } } }));
    const c = loadConfig(file);
    assert.is(c.file, file);
    assert.is(c.router, 'shop-1');
    assert.equal(c.ops.get('echo'), { ttlMs: 10_000, retry: true, startsCard: false });
    writeFileSync(file, '{"router": "shop-1", "lines": []}');
    assert.match(configError(() => loadConfig(file)).message, /: lines: needs at least one station line$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

load.run();
