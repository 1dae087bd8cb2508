// The status interface's configuration: defaults, the credentials file (its
// mode, its lines), TLS files, the statistics fields; every mistake named by
// field, never quoting a password.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigProblem } from '../../src/config/errors.js';
import type { RouterConfig } from '../../src/config/types.js';
import { validateConfig } from '../../src/config/validate.js';
import { scratchDir } from '../../src/sim/pty-pair.js';
import { selfSigned } from '../http/self-signed.js';

const scratch = scratchDir('status-config');
test.after(() => scratch.remove());
const FILE = join(scratch.dir, 'router.json');
const MINIMAL = { router: 'r1', lines: [{ name: 'L1', path: '/dev/ttyUSB0' }] };

function check(extra: Record<string, unknown>): { config?: RouterConfig; problems: ConfigProblem[] } {
  const r = validateConfig(FILE, { ...MINIMAL, ...extra });
  return 'problems' in r ? { problems: r.problems } : { config: r.config, problems: [] };
}

function file(name: string, text: string, mode: number): string {
  const path = join(scratch.dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return name;
}

test('defaults: loopback 8080, actions disabled, /var/lib/persomux, a snapshot every 5 minutes', () => {
  const { config } = check({});
  assert.equal(config!.status.listen, { host: '127.0.0.1', port: 8080 });
  assert.equal(config!.status.credentials, []);
  assert.is(config!.status.tls, undefined);
  assert.is(config!.stateDir, '/var/lib/persomux');
  assert.is(config!.snapshotSchedule, '*/5 * * * *');
});

test('a credentials file of mode 0600 is read; stateDir is relative to the config file', () => {
  const { config, problems } = check({ status: { credentialsFile: file('ok.creds', '# operators\nana:longenough\n\nbob:also-long-1\n', 0o600) }, stateDir: 'state', snapshotSchedule: '*/30 * * * * *' });
  assert.equal(problems, []);
  assert.equal(config!.status.credentials.map((c) => c.user), ['ana', 'bob']);
  assert.is(config!.stateDir, join(scratch.dir, 'state'));
  assert.is(config!.snapshotSchedule, '*/30 * * * * *');
});

test('a credentials file others can read is refused, naming the field and the mode', () => {
  const { problems } = check({ status: { credentialsFile: file('open.creds', 'ana:longenough\n', 0o644) } });
  assert.is(problems.length, 1);
  assert.is(problems[0]!.field, 'status.credentialsFile');
  assert.match(problems[0]!.reason, /mode 0600\), not 0644/);
});

test('a bad line is named by number and never quoted (it may hold a password)', () => {
  const { problems } = check({ status: { credentialsFile: file('bad.creds', 'ana:longenough\nno colon here secretword\nbob:short\n', 0o600) } });
  assert.is(problems[0]!.field, 'status.credentialsFile');
  assert.match(problems[0]!.reason, /line 2: must be 'user:password'/);
  assert.not.match(problems[0]!.reason, /secretword/);
  const short = check({ status: { credentialsFile: file('short.creds', 'bob:short\n', 0o600) } }).problems[0]!;
  assert.match(short.reason, /line 1: the password of 'bob' must have at least 8 characters/);
  assert.not.match(short.reason, /short\b(?!\.creds)/);
  assert.match(check({ status: { credentialsFile: 'missing.creds' } }).problems[0]!.reason, /cannot be read: ENOENT/);
  assert.match(check({ status: { credentialsFile: file('empty.creds', '# nobody\n', 0o600) } }).problems[0]!.reason, /lists no operator/);
});

test('TLS: a certificate and its key are read; a mismatch or a missing file is named', () => {
  const { cert, key } = selfSigned(scratch.dir);
  const good = check({ status: { listen: '0.0.0.0:8443', tls: { cert, key } } });
  assert.equal(good.problems, []);
  assert.ok(good.config!.status.tls!.cert.toString().includes('BEGIN CERTIFICATE'));
  const swapped = check({ status: { tls: { cert: key, key: cert } } }).problems;
  assert.is(swapped[0]!.field, 'status.tls');
  assert.equal(check({ status: { tls: { cert, key: 'nope.key' } } }).problems.map((p) => p.field), ['status.tls.key']);
  assert.equal(check({ status: { tls: { cert } } }).problems.map((p) => p.field), ['status.tls.key']);
});

test('statistics fields and unknown status fields are named', () => {
  assert.equal(check({ snapshotSchedule: 'every minute' }).problems.map((p) => p.field), ['snapshotSchedule']);
  assert.equal(check({ stateDir: '' }).problems.map((p) => p.field), ['stateDir']);
  assert.equal(check({ status: { listen: '127.0.0.1:8080', password: 'x' } }).problems.map((p) => p.field), ['status.password']);
  assert.equal(check({ status: { listen: 'localhost' } }).problems.map((p) => p.field), ['status.listen']);
});

test.run();
