// What a reload changes, as plain values: validated configurations in, a plan out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planReload } from '../../src/router/reload-plan.js';
import { validateConfig } from '../../src/config/validate.js';
import type { RouterConfig } from '../../src/config/types.js';

const BASE = {
  router: 'box-1',
  lines: [
    { name: 'l1', path: '/dev/a' },
    { name: 'l2', path: '/dev/b' },
    { name: 'l3', path: '/dev/c' },
  ],
  servers: [
    { name: 'ds1', tcp: '127.0.0.1:7001', slots: 2, insecure: true },
    { name: 'ds2', tcp: '127.0.0.1:7002', slots: 2, insecure: true },
    { name: 'ds3', tcp: '127.0.0.1:7003', slots: 2, insecure: true },
  ],
  ops: { echo: { ttlMs: 1000 } },
};

function config(raw: unknown): RouterConfig {
  const r = validateConfig('/etc/persomux/router.json', raw);
  if (!('config' in r)) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

test('the same file: nothing to do', () => {
  const plan = planReload(config(BASE), config(BASE));
  assert.equal(plan.refused, []);
  assert.equal([plan.lines.added, plan.lines.removed, plan.lines.reopened, plan.lines.retuned, plan.servers.added, plan.servers.removed, plan.servers.replaced, plan.servers.retuned].map((x) => x.length), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.is(plan.opsChanged, false);
});

test('each kind of change lands in its place', () => {
  const next = config({
    ...BASE,
    lines: [{ name: 'l1', path: '/dev/a' }, { name: 'l2', path: '/dev/b', baudRate: 9600 }, { name: 'l3', path: '/dev/c', maxOutstanding: 2 }, { name: 'l4', path: '/dev/d' }],
    servers: [
      { name: 'ds1', tcp: '127.0.0.1:7001', slots: 4, insecure: true },
      { name: 'ds2', tcp: '127.0.0.1:7999', slots: 2, insecure: true },
      { name: 'ds4', tcp: '127.0.0.1:7004', slots: 2, insecure: true },
    ],
    ops: { echo: { ttlMs: 2000 } },
  });
  const plan = planReload(config(BASE), next);
  assert.equal(plan.refused, []);
  assert.equal(plan.lines.added.map((l) => l.name), ['l4']);
  assert.equal(plan.lines.removed, []);
  assert.equal(plan.lines.reopened.map((l) => l.name), ['l2'], 'port settings changed: reopened');
  assert.equal(plan.lines.retuned.map((l) => l.name), ['l3'], 'only a limit changed: not reopened');
  assert.equal(plan.servers.added.map((s) => s.name), ['ds4']);
  assert.equal(plan.servers.removed, ['ds3']);
  assert.equal(plan.servers.replaced.map((s) => s.name), ['ds2'], 'address changed');
  assert.equal(plan.servers.retuned.map((s) => s.name), ['ds1'], 'only the expected slots changed');
  assert.is(plan.opsChanged, true);
});

test('a line whose only change is its bound servers is retuned, not reopened', () => {
  const plan = planReload(config(BASE), config({ ...BASE, lines: [{ name: 'l1', path: '/dev/a', servers: ['ds1'] }, BASE.lines[1], BASE.lines[2]] }));
  assert.equal(plan.lines.retuned.map((l) => l.name), ['l1']);
  assert.equal(plan.lines.reopened, []);
});

test('fields only a restart can change refuse the reload, each named with its reason', () => {
  const plan = planReload(config(BASE), config({ ...BASE, router: 'box-2', defaults: { pingIntervalMs: 500 }, status: { listen: '0.0.0.0:8080' } }));
  assert.equal(plan.refused.map((r) => r.field), ['router', 'status', 'defaults.pingIntervalMs']);
  assert.ok(plan.refused.every((r) => r.why.startsWith('cannot change without a restart: ')));
});

test.run();
