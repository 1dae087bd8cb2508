// Site files: defaults kept, one value or one per machine, every mistake
// named with the file and the field, all at once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSite, parseSite, SiteFileError } from '../../src/site/site-file.js';
import { DEFAULT_SITE, meanServiceMs, requestsPerCard, stationLocalMs } from '../../src/site/site.js';

const problems = (json: unknown): readonly string[] => {
  try {
    parseSite(json, 'site.json');
  } catch (e) {
    if (e instanceof SiteFileError) return e.problems;
    throw e;
  }
  throw new Error('the site was accepted');
};

test('an empty object is the default site', () => {
  assert.equal(parseSite({}, 'site.json'), DEFAULT_SITE);
});

test('a full site: ops replace the default ones, own time per machine, speeds per server', () => {
  const site = parseSite(
    {
      machines: 2,
      stationsPerMachine: 3,
      localMs: [6000, 12000],
      ops: { 'transport-key': { perCard: 1, serviceMs: 100 }, certificate: { perCard: 3, serviceMs: 300 } },
      serviceTime: 'fixed',
      servers: 2,
      slots: 2,
      serverSpeed: [1, 0.5],
    },
    'site.json',
  );
  assert.is(requestsPerCard(site), 4);
  assert.is(meanServiceMs(site), (100 + 900) / 4);
  assert.equal(stationLocalMs(site), [6000, 6000, 6000, 12000, 12000, 12000]);
  assert.equal(site.serverSpeed, [1, 0.5]);
  assert.is(site.serviceShape, 'fixed');
});

test('one own time applies to every machine', () => {
  assert.equal(parseSite({ machines: 3, localMs: 9000 }, 'site.json').localMs, [9000, 9000, 9000]);
});

test('every mistake is named by its field', () => {
  assert.equal(problems({ machines: 0, localMs: [1, 2], ops: { certificate: { perCard: 4 } }, serverSpeed: [1], slotz: 3, serviceTime: 'gamma' }), [
    'slotz: unknown field (known: machines, stationsPerMachine, localMs, ops, serviceTime, servers, slots, serverSpeed)',
    'machines: must be a whole number from 1 to 64',
    'serviceTime: must be "exp" or "fixed"',
    'serverSpeed: must be a list of one number per server (2), 1 = nominal',
    'localMs: must be a number, or a list of one number per machine (4)',
    'ops.certificate.serviceMs: is missing',
  ]);
  assert.equal(problems({ ops: { echo: { perCard: 0, serviceMs: -1, extra: 1 } } }), [
    'ops.echo.extra: unknown field (known: perCard, serviceMs)',
    'ops.echo.perCard: must be a whole number from 1 to 1000',
    'ops.echo.serviceMs: must be a number of milliseconds, more than 0 and at most a day',
  ]);
});

test('a missing file, a folder and bad JSON are named, with the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'site-'));
  try {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "machines": ');
    assert.throws(() => loadSite(join(dir, 'none.json')), (e: Error) => e.message === `${join(dir, 'none.json')}: no such file`);
    assert.throws(() => loadSite(dir), (e: Error) => e.message === `${dir}: is a folder, not a site file`);
    assert.throws(() => loadSite(bad), (e: Error) => e.message.startsWith(`${bad}: is not valid JSON`));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test.run();
