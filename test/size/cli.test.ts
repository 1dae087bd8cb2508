// `persomux size` as an operator runs it: the table, the answer to a target,
// the exit code when it cannot be met, and mistakes named.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { predictDynamic } from '../../src/size/predict.js';
import { parseSite } from '../../src/site/site-file.js';

const BIN = join(process.cwd(), 'bin/persomux');
const dir = mkdtempSync(join(tmpdir(), 'size-'));
const SITE = { machines: 2, stationsPerMachine: 6, localMs: 12000, ops: { 'transport-key': { perCard: 1, serviceMs: 150 }, certificate: { perCard: 5, serviceMs: 400 } }, slots: 1 };
const siteFile = join(dir, 'site.json');
writeFileSync(siteFile, JSON.stringify(SITE));

const size = (...args: string[]) => spawnSync(BIN, ['size', ...args], { encoding: 'utf8' });
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

test('a site file and a target: the rows, and the smallest count of servers named with its margin', () => {
  const site = parseSite(SITE, 'site.json');
  const two = predictDynamic(site, 2).cardsPerHour;
  const target = Math.floor(two) - 10;
  const r = size('--site', siteFile, '--target', String(target));
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /12 stations \(2 x 6\), own time per card 12\.0 s/);
  assert.match(r.stdout, new RegExp(`\\n\\s+2\\s+2\\s+${int(two)}\\s`), 'the row of 2 servers');
  assert.match(r.stdout, new RegExp(`Target ${int(target)} cards/hour: 2 data server\\(s\\) \\(${int(two)} cards/hour predicted, margin \\+`));
});

test('a target no count of servers reaches: said plainly, exit 1', () => {
  const r = size('--site', siteFile, '--target', '1000000');
  assert.is(r.status, 1);
  assert.match(r.stdout, /not reachable with these stations/);
});

test('--json gives the same figures', () => {
  const r = size('--site', siteFile, '--slots', '2', '--json');
  const out = JSON.parse(r.stdout) as { rows: { dynamic: { servers: number; cardsPerHour: number } }[] };
  const site = parseSite({ ...SITE, slots: 2 }, 'site.json');
  assert.ok(Math.abs(out.rows[0]!.dynamic.cardsPerHour - predictDynamic(site, 1).cardsPerHour) < 1e-6);
});

test('mistakes are named: a bad target, a bad site file field, a missing snapshot', () => {
  assert.match(size('--target', 'lots').stderr, /--target must be a positive number, got 'lots'/);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ slots: 0 }));
  const r = size('--site', bad);
  assert.is(r.status, 2);
  assert.match(r.stderr, new RegExp(`${bad.replaceAll('/', '\\/')}: slots: must be a whole number from 1 to 1024`));
  assert.match(size('--snapshot', join(dir, 'none.json')).stderr, /none\.json: no such file/);
});

test.after(() => rmSync(dir, { recursive: true }));
test.run();
