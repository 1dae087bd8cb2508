// validateConfig: defaults filled in; every mistake named by field path and
// reason, all of them at once.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConfigProblem } from '../../src/config/errors.js';
import type { RouterConfig } from '../../src/config/types.js';
import { validateConfig } from '../../src/config/validate.js';

const FILE = 'site.json';
const MINIMAL = { router: 'r1', lines: [{ name: 'L1', path: '/dev/ttyUSB0' }] };

function valid(raw: unknown): RouterConfig {
  const result = validateConfig(FILE, raw);
  if ('problems' in result) throw new Error(`expected a valid config, got: ${JSON.stringify(result.problems)}`);
  return result.config;
}

function problems(raw: unknown): ConfigProblem[] {
  const result = validateConfig(FILE, raw);
  if (!('problems' in result)) throw new Error('expected problems, the config was accepted');
  return result.problems;
}

/** The one problem of `field`, failing unless there is exactly one. */
function problemOf(raw: unknown, field: string): string {
  const found = problems(raw).filter((p) => p.field === field);
  assert.is(found.length, 1, `one problem for ${field}, got ${JSON.stringify(problems(raw))}`);
  return found[0]!.reason;
}

const fields = (raw: unknown): string[] => problems(raw).map((p) => p.field);

const withLines = (...lines: unknown[]): unknown => ({ router: 'r1', lines });
const withServers = (...servers: unknown[]): unknown => ({ ...MINIMAL, servers });
const LOOPBACK = { name: 'ds1', tcp: '127.0.0.1:7000', insecure: true };

const defaults = suite('config defaults');

defaults('a minimal config gets every default', () => {
  const c = valid(MINIMAL);
  assert.is(c.file, FILE);
  assert.is(c.router, 'r1');
  assert.is(c.pingIntervalMs, 1000);
  assert.equal(c.defaultOp, { ttlMs: 10_000, retry: false, startsCard: false });
  assert.is(c.ops.size, 0);
  assert.equal(c.servers, []);
  assert.equal(c.lines, [
    {
      name: 'L1',
      serial: { path: '/dev/ttyUSB0', baudRate: 115_200, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false },
      protocol: 'native',
      maxBody: 4096,
      maxOutstanding: 8,
      echo: false,
      banner: undefined,
    },
  ]);
});

defaults('an op without fields gets the default ttl and no retry', () => {
  const c = valid({ ...MINIMAL, ops: { echo: {}, 'session-keys': { ttlMs: 250, retry: true } } });
  assert.equal(c.ops.get('echo'), { ttlMs: 10_000, retry: false, startsCard: false });
  assert.equal(c.ops.get('session-keys'), { ttlMs: 250, retry: true, startsCard: false });
});

defaults('startsCard marks the op whose ok answer counts a card; status.listen defaults to loopback 8080', () => {
  const c = valid({ ...MINIMAL, ops: { 'transport-key': { startsCard: true } } });
  assert.is(c.ops.get('transport-key')?.startsCard, true);
  assert.equal(c.status.listen, { host: '127.0.0.1', port: 8080 });
  assert.equal(valid({ ...MINIMAL, status: { listen: '0.0.0.0:0' } }).status.listen, { host: '0.0.0.0', port: 0 });
  assert.equal(problems({ ...MINIMAL, status: { listen: 'nowhere' } }).map((p) => p.field), ['status.listen']);
  assert.equal(problems({ ...MINIMAL, ops: { echo: { startsCard: 'yes' } } }).map((p) => p.field), ['ops.echo.startsCard']);
});

defaults('the defaults section changes the defaults of lines, servers and ops', () => {
  const c = valid({
    router: 'r1',
    defaults: { ttlMs: 3000, pingIntervalMs: 500, maxBody: 1024, maxOutstanding: 2, baudRate: 9600 },
    lines: [{ name: 'L1', path: '/dev/a' }, { name: 'L2', path: '/dev/b', baudRate: 19_200, maxOutstanding: 5, maxBody: 64 }],
    servers: [LOOPBACK],
    ops: { echo: {} },
  });
  assert.is(c.pingIntervalMs, 500);
  assert.equal(c.defaultOp, { ttlMs: 3000, retry: false, startsCard: false });
  assert.equal(c.ops.get('echo'), { ttlMs: 3000, retry: false, startsCard: false });
  assert.equal([c.lines[0]?.serial.baudRate, c.lines[0]?.maxOutstanding, c.lines[0]?.maxBody], [9600, 2, 1024]);
  assert.equal([c.lines[1]?.serial.baudRate, c.lines[1]?.maxOutstanding, c.lines[1]?.maxBody], [19_200, 5, 64]);
  assert.is(c.servers[0]?.maxBody, 1024);
});

defaults('servers: tcp on loopback with insecure, IPv6 loopback, and serial servers', () => {
  const c = valid(withServers(LOOPBACK, { name: 'ds2', tcp: '[::1]:7001', insecure: true, slots: 4 }, { name: 'ds3', tcp: 'localhost:7002', insecure: true }, { name: 'ds4', serial: '/dev/ttyS3', insecure: true, baudRate: 9600, parity: 'even' }));
  assert.equal(c.servers[0], { name: 'ds1', address: { kind: 'tcp', host: '127.0.0.1', port: 7000 }, slots: 1, security: { kind: 'insecure' }, maxBody: 4096 });
  assert.equal(c.servers[1]?.address, { kind: 'tcp', host: '::1', port: 7001 });
  assert.is(c.servers[1]?.slots, 4);
  assert.equal(c.servers[2]?.address, { kind: 'tcp', host: 'localhost', port: 7002 });
  assert.equal(c.servers[3]?.address, { kind: 'serial', serial: { path: '/dev/ttyS3', baudRate: 9600, dataBits: 8, parity: 'even', stopBits: 1, rtscts: false } });
});

defaults('a line may choose ascii, 7E2 and rtscts', () => {
  const c = valid(withLines({ name: 'term', path: '/dev/ttyS0', protocol: 'ascii', dataBits: 7, parity: 'even', stopBits: 2, rtscts: true }));
  assert.is(c.lines[0]?.protocol, 'ascii');
  assert.equal(c.lines[0]?.serial, { path: '/dev/ttyS0', baudRate: 115_200, dataBits: 7, parity: 'even', stopBits: 2, rtscts: true });
});

defaults.run();

const mistakes = suite('config mistakes');

mistakes('a bad baud rate names lines[1].baudRate and the allowed range', () => {
  const reason = problemOf(withLines({ name: 'L1', path: '/dev/a' }, { name: 'L2', path: '/dev/b', baudRate: 'fast' }), 'lines[1].baudRate');
  assert.match(reason, /whole number from 50 to 4000000/);
  assert.match(problemOf(withLines({ name: 'L1', path: '/dev/a' }, { name: 'L2', path: '/dev/b', baudRate: 10 }), 'lines[1].baudRate'), /from 50/);
  assert.match(problemOf(withLines({ name: 'L1', path: '/dev/a' }, { name: 'L2', path: '/dev/b', baudRate: 9600.5 }), 'lines[1].baudRate'), /whole number/);
});

mistakes('plaintext to a non-loopback address is refused at servers[0].insecure', () => {
  const reason = problemOf(withServers({ name: 'ds1', tcp: '10.0.0.5:7000', insecure: true }), 'servers[0].insecure');
  assert.match(reason, /loopback/);
  assert.match(reason, /10\.0\.0\.5/);
  assert.match(problemOf(withServers({ name: 'ds1', tcp: 'data.example.com:7000', insecure: true }), 'servers[0].insecure'), /loopback/);
  assert.match(problemOf(withServers({ name: 'ds1', tcp: '[2001:db8::1]:7000', insecure: true }), 'servers[0].insecure'), /loopback/);
  assert.match(problemOf(withServers({ name: 'ds1', tcp: '127.0.0.1.example.com:7000', insecure: true }), 'servers[0].insecure'), /loopback/);
});

mistakes('an op ttl out of range names ops.echo.ttlMs', () => {
  assert.match(problemOf({ ...MINIMAL, ops: { echo: { ttlMs: 0 } } }, 'ops.echo.ttlMs'), /whole number from 1 to 3600000/);
  assert.match(problemOf({ ...MINIMAL, ops: { echo: { ttlMs: '100' } } }, 'ops.echo.ttlMs'), /whole number/);
  assert.match(problemOf({ ...MINIMAL, ops: { echo: { retry: 'yes' } } }, 'ops.echo.retry'), /true or false/);
  assert.match(problemOf({ ...MINIMAL, ops: { echo: 5 } }, 'ops.echo'), /object/);
});

mistakes('unknown keys are named, wherever they are', () => {
  const raw = {
    router: 'r1',
    rooter: 'x',
    defaults: { ttl: 5 },
    lines: [{ name: 'L1', path: '/dev/a', baud: 9600 }],
    servers: [{ ...LOOPBACK, slot: 2 }],
    ops: { echo: { retries: true } },
  };
  const ps = problems(raw);
  assert.equal(ps.map((p) => p.field).sort(), ['defaults.ttl', 'lines[0].baud', 'ops.echo.retries', 'rooter', 'servers[0].slot']);
  for (const p of ps) assert.match(p.reason, /unknown field/);
  assert.match(ps.find((p) => p.field === 'lines[0].baud')!.reason, /baudRate/, 'the known names help with a typo');
});

mistakes('duplicate line names, line paths and server names are named', () => {
  const ps = problems({
    router: 'r1',
    lines: [
      { name: 'L1', path: '/dev/a' },
      { name: 'L1', path: '/dev/b' },
      { name: 'L3', path: '/dev/a' },
    ],
    servers: [LOOPBACK, { ...LOOPBACK, tcp: '127.0.0.1:7001' }],
  });
  assert.equal(ps.map((p) => p.field).sort(), ['lines[1].name', 'lines[2].path', 'servers[1].name']);
  assert.match(ps.find((p) => p.field === 'lines[1].name')!.reason, /'L1'.*lines\[0\]\.name/);
  assert.match(ps.find((p) => p.field === 'lines[2].path')!.reason, /'\/dev\/a'.*lines\[0\]\.path/);
  assert.match(ps.find((p) => p.field === 'servers[1].name')!.reason, /'ds1'.*servers\[0\]\.name/);
});

mistakes('a duplicate name is reported even when that entry has another mistake too', () => {
  const ps = fields(withLines({ name: 'L1', path: '/dev/a' }, { name: 'L1', path: '/dev/b', baudRate: 1 }));
  assert.ok(ps.includes('lines[1].baudRate'), JSON.stringify(ps));
  assert.ok(ps.includes('lines[1].name'), `the duplicate name is a problem too: ${JSON.stringify(ps)}`);
});

mistakes('missing and malformed names', () => {
  assert.is(problemOf({ lines: MINIMAL.lines }, 'router'), 'is missing');
  assert.match(problemOf({ ...MINIMAL, router: 'my router' }, 'router'), /letters, digits/);
  assert.is(problemOf(withLines({ path: '/dev/a' }), 'lines[0].name'), 'is missing');
  assert.match(problemOf(withLines({ name: '-x', path: '/dev/a' }), 'lines[0].name'), /starting with a letter or digit/);
  assert.is(problemOf(withLines({ name: 'L1' }), 'lines[0].path'), 'is missing');
  assert.match(problemOf(withLines({ name: 'L1', path: '' }), 'lines[0].path'), /non-empty/);
});

mistakes('serial settings outside their sets', () => {
  const raw = withLines({ name: 'L1', path: '/dev/a', dataBits: 9, parity: 'high', stopBits: 3, rtscts: 'on', protocol: 'binary' });
  assert.match(problemOf(raw, 'lines[0].dataBits'), /one of 5, 6, 7, 8/);
  assert.match(problemOf(raw, 'lines[0].parity'), /"none"/);
  assert.match(problemOf(raw, 'lines[0].stopBits'), /one of 1, 2/);
  assert.match(problemOf(raw, 'lines[0].rtscts'), /true or false/);
  assert.match(problemOf(raw, 'lines[0].protocol'), /"native", "ascii"/);
});

mistakes('line limits: maxBody and maxOutstanding', () => {
  assert.match(problemOf(withLines({ name: 'L1', path: '/a', maxBody: 63 }), 'lines[0].maxBody'), /from 64 to 65536/);
  assert.match(problemOf(withLines({ name: 'L1', path: '/a', maxOutstanding: 0 }), 'lines[0].maxOutstanding'), /from 1 to 1024/);
  assert.match(problemOf({ ...MINIMAL, defaults: { pingIntervalMs: 5 } }, 'defaults.pingIntervalMs'), /from 20 to 60000/);
});

mistakes('server address mistakes', () => {
  assert.match(problemOf(withServers({ name: 'ds1', insecure: true }), 'servers[0]'), /exactly one of 'tcp'.*'serial'/);
  assert.match(problemOf(withServers({ name: 'ds1', tcp: '127.0.0.1:1', serial: '/dev/x', insecure: true }), 'servers[0]'), /exactly one/);
  assert.match(problemOf(withServers({ name: 'ds1', tcp: 'localhost', insecure: true }), 'servers[0].tcp'), /host:port/);
  assert.match(problemOf(withServers({ name: 'ds1', tcp: '127.0.0.1:0', insecure: true }), 'servers[0].tcp'), /host:port/);
  assert.match(problemOf(withServers({ name: 'ds1', tcp: '127.0.0.1:65536', insecure: true }), 'servers[0].tcp'), /host:port/);
  assert.match(problemOf(withServers({ name: 'ds1', tcp: '::1:7000', insecure: true }), 'servers[0].tcp'), /\[addr\]:port/);
  assert.match(problemOf(withServers({ ...LOOPBACK, slots: -1 }), 'servers[0].slots'), /from 0 to 1024/);
  assert.match(problemOf(withServers({ ...LOOPBACK, insecure: 'yes' }), 'servers[0].insecure'), /true or false/);
});

mistakes('a server without insecure: true needs a key file, naming servers[0].keyFile', () => {
  assert.match(problemOf(withServers({ name: 'ds1', tcp: '127.0.0.1:7000' }), 'servers[0].keyFile'), /missing/);
});

mistakes('wrong shapes', () => {
  assert.equal(problems([MINIMAL]), [{ field: '(file)', reason: 'must be an object' }]);
  assert.equal(problems(null), [{ field: '(file)', reason: 'must be an object' }]);
  assert.match(problemOf({ ...MINIMAL, servers: {} }, 'servers'), /array/);
  assert.ok(problems({ router: 'r1', lines: 'L1' }).some((p) => p.field === 'lines' && /must be an array/.test(p.reason)));
  assert.match(problemOf({ router: 'r1' }, 'lines'), /at least one/);
  assert.match(problemOf({ router: 'r1', lines: [] }, 'lines'), /at least one/);
  assert.match(problemOf(withLines('L1'), 'lines[0]'), /object/);
  assert.match(problemOf({ ...MINIMAL, defaults: [] }, 'defaults'), /object/);
  assert.match(problemOf({ ...MINIMAL, ops: [] }, 'ops'), /object/);
});

mistakes('several problems are all reported at once', () => {
  const raw = {
    router: 'r 1',
    lines: [
      { name: 'L1', path: '/dev/a', baudRate: 0 },
      { name: 'L2', path: '/dev/b', parity: 'x', maxBody: 1 },
    ],
    servers: [{ name: 'ds1', tcp: '192.168.1.2:7000', insecure: true, slots: 'many' }],
    ops: { echo: { ttlMs: -5 } },
    extra: true,
  };
  assert.equal(fields(raw).sort(), ['extra', 'lines[0].baudRate', 'lines[1].maxBody', 'lines[1].parity', 'ops.echo.ttlMs', 'router', 'servers[0].insecure', 'servers[0].slots']);
});

mistakes('echo and banner: ASCII lines only, echo a boolean, banner printable text (section 6 reading 11)', () => {
  const c = valid(withLines({ name: 'term', path: '/dev/a', protocol: 'ascii', echo: true, banner: 'bench terminal\ntype HELP' }));
  assert.is(c.lines[0]?.echo, true);
  assert.is(c.lines[0]?.banner, 'bench terminal\ntype HELP');
  assert.match(problemOf(withLines({ name: 'L1', path: '/dev/a', echo: true }), 'lines[0].echo'), /protocol 'ascii'/);
  assert.match(problemOf(withLines({ name: 'L1', path: '/dev/a', banner: 'hi' }), 'lines[0].banner'), /protocol 'ascii'/);
  assert.match(problemOf(withLines({ name: 'L1', path: '/dev/a', protocol: 'ascii', echo: 'yes' }), 'lines[0].echo'), /true or false/);
  for (const banner of ['', 'x'.repeat(1001), 'bell\x07', 'esc\x1b[2J', 42]) {
    assert.match(problemOf(withLines({ name: 'L1', path: '/dev/a', protocol: 'ascii', banner }), 'lines[0].banner'), /1 to 1000 printable ASCII/, JSON.stringify(banner));
  }
});

mistakes.run();

const shared = suite('config: devices and op names');

shared('one device cannot be both a station line and a server link', () => {
  const result = validateConfig('site.json', {
    router: 'r1',
    lines: [{ name: 'L1', path: '/dev/ttyUSB0' }],
    servers: [{ name: 'ds1', serial: '/dev/ttyUSB0', insecure: true }],
  });
  assert.ok('problems' in result);
  if ('problems' in result) assert.ok(result.problems.some((p) => p.field === 'servers[0].serial' && /already used by lines\[0\]\.path/.test(p.reason)), JSON.stringify(result.problems));
});

shared('an op name with a newline or empty is refused; 1.5 stop bits too (Linux refuses them)', () => {
  const result = validateConfig('site.json', { router: 'r1', lines: [{ name: 'L1', path: '/dev/a', stopBits: 1.5 }], ops: { '': {}, 'a\nb': {} } });
  assert.ok('problems' in result);
  if ('problems' in result) {
    const fields = result.problems.map((p) => p.field);
    assert.ok(fields.includes('ops.""') && fields.includes('ops."a\\nb"') && fields.includes('lines[0].stopBits'), JSON.stringify(fields));
  }
});

shared.run();
