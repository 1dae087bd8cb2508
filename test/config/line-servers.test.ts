// lines[].servers: static binding of a line to some servers, checked against servers[].
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateConfig } from '../../src/config/validate.js';

const servers = [
  { name: 'ds1', tcp: '127.0.0.1:7001', insecure: true },
  { name: 'ds2', tcp: '127.0.0.1:7002', insecure: true },
];
const config = (lineServers: unknown): unknown => ({ router: 'r1', lines: [{ name: 'L1', path: '/dev/a' }, { name: 'L2', path: '/dev/b', servers: lineServers }], servers });

function problems(raw: unknown): { field: string; reason: string }[] {
  const r = validateConfig('site.json', raw);
  return 'problems' in r ? r.problems : [];
}

test('a line bound to configured servers is accepted; a line without the field is unbound', () => {
  const r = validateConfig('site.json', config(['ds2']));
  if ('problems' in r) throw new Error(JSON.stringify(r.problems));
  assert.is(r.config.lines[0]!.servers, undefined);
  assert.equal(r.config.lines[1]!.servers, ['ds2']);
});

test('a server name that is not configured is named with its place', () => {
  assert.equal(problems(config(['ds2', 'ds9'])), [{ field: 'lines[1].servers[1]', reason: "'ds9' is not the name of a server in servers[]" }]);
});

test('an empty list, a non-list and a repeated name are refused', () => {
  assert.equal(problems(config([])).map((p) => p.field), ['lines[1].servers']);
  assert.equal(problems(config('ds1')).map((p) => p.field), ['lines[1].servers']);
  assert.equal(problems(config(['ds1', 'ds1'])).map((p) => p.field), ['lines[1].servers[1]']);
});

test.run();
