// `stateDir`: where the statistics snapshot (always; /var/lib/persomux by
// default) and the request journal (only when the file names it) live;
// relative to the config file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolve } from 'node:path';
import { validateConfig } from '../../src/config/validate.js';

const MINIMAL = { router: 'r1', lines: [{ name: 'L1', path: '/dev/ttyUSB0' }] };

test("stateDir is resolved against the config file's folder; the journal only where the file names it", () => {
  const none = validateConfig('/etc/persomux/router.json', MINIMAL);
  assert.ok('config' in none && none.config.stateDir === '/var/lib/persomux' && none.config.journalDir === undefined);
  const rel = validateConfig('/etc/persomux/router.json', { ...MINIMAL, stateDir: 'state' });
  assert.ok('config' in rel && rel.config.stateDir === '/etc/persomux/state' && rel.config.journalDir === '/etc/persomux/state/journal');
  const abs = validateConfig('conf/router.json', { ...MINIMAL, stateDir: '/var/lib/persomux' });
  assert.ok('config' in abs && abs.config.stateDir === resolve('/var/lib/persomux') && abs.config.journalDir === '/var/lib/persomux/journal');
});

test('a stateDir that is not a non-empty string is named', () => {
  for (const bad of ['', 7, ['x']]) {
    const r = validateConfig('router.json', { ...MINIMAL, stateDir: bad });
    assert.ok('problems' in r && r.problems.some((p) => p.field === 'stateDir' && /non-empty string/.test(p.reason)), JSON.stringify(bad));
  }
});

test.run();
