// The flags shared by size and sim override a site file part by part.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/cli/args.js';
import { siteFromFlags } from '../../src/cli/site-flags.js';
import { DEFAULT_SITE } from '../../src/site/site.js';

const refused = (flags: Parameters<typeof siteFromFlags>[0], pattern: RegExp): void =>
  assert.throws(() => siteFromFlags(flags), (e: unknown) => e instanceof UsageError && pattern.test(e.message));

test('no flags: the default site', () => {
  assert.equal(siteFromFlags({}), DEFAULT_SITE);
});

test('--service-time sets every op and the shape; --op then one op, with or without a count', () => {
  const site = siteFromFlags({ 'service-time': '50', op: ['certificate=4x250', 'session-keys=80'] });
  assert.is(site.serviceShape, 'fixed');
  assert.equal([...site.ops], [
    ['transport-key', { perCard: 1, serviceMs: 50 }],
    ['session-keys', { perCard: 1, serviceMs: 80 }],
    ['certificate', { perCard: 4, serviceMs: 250 }],
  ]);
});

test('--chip-ms is the own time per request, --local-ms per card', () => {
  assert.equal(siteFromFlags({ 'chip-ms': '5' }).localMs, [30, 30, 30, 30]);
  assert.equal(siteFromFlags({ 'local-ms': '12000', machines: '2' }).localMs, [12000, 12000]);
  refused({ 'chip-ms': '5', 'local-ms': '30' }, /give one/);
});

test('flags override a site file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'site-'));
  try {
    const file = join(dir, 'site.json');
    writeFileSync(file, JSON.stringify({ machines: 2, localMs: [4000, 8000], servers: 2, serverSpeed: [1, 0.5] }));
    const site = siteFromFlags({ site: file, slots: '3', stations: '2' });
    assert.equal([site.machines, site.stationsPerMachine, site.slots, site.localMs, site.serverSpeed], [2, 2, 3, [4000, 8000], [1, 0.5]]);
    refused({ site: file, machines: '3' }, /--machines 3, but the site file gives localMs for 2 machines/);
    refused({ site: file, servers: '3' }, /2 factors for 3 servers/);
    refused({ site: join(dir, 'none.json') }, /none\.json: no such file/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('bad values are refused naming the flag', () => {
  refused({ op: ['certificate'] }, /--op must be OP=MS or OP=NxMS/);
  refused({ op: ['certificate=0'] }, /--op must be/);
  refused({ 'server-speed': '1,0' }, /--server-speed must be numbers more than 0/);
  refused({ 'local-ms': 'soon' }, /--local-ms must be a number of milliseconds/);
  refused({ machines: '65' }, /--machines must be a whole number from 1 to 64, got '65'/);
  refused({ stations: '0' }, /--stations must be a whole number from 1 to 64, got '0'/);
  refused({ 'service-time': 'exp:0' }, /--service-time must be MS or exp:MS/);
});

test.run();
