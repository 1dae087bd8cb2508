// The systemd units as systemd itself reads them: `systemd-analyze verify` in a
// staged root (it checks that ExecStart exists and is executable, so the test
// puts the release's paths there) and `systemd-analyze security --offline`.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scratchDir } from '../../src/sim/pty-pair.js';
import { LIMITS, UNIT_TIMEOUT_STOP_MS } from '../../src/config/limits.js';

const ROOT = resolve(import.meta.dirname, '../..');
const UNITS = ['persomux.service', 'persomux-dataserver.service', 'persomux-confirm.service'];
/** The router's own default stop budget (answers in flight drain first); systemd must wait longer. */
const ROUTER_STOP_TIMEOUT_S = LIMITS.stopTimeoutMs.default / 1000;

function stage(withExecutables: boolean): { root: string; remove(): void } {
  const s = scratchDir('units');
  const root = s.dir;
  mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
  for (const u of UNITS) copyFileSync(join(ROOT, 'firmware/systemd', u), join(root, 'etc/systemd/system', u));
  // The targets the units name (sysinit.target, network-online.target ...), as on any Debian system.
  mkdirSync(join(root, 'usr/lib/systemd'), { recursive: true });
  cpSync('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync('/usr/bin/kill', join(root, 'bin/kill'));
  chmodSync(join(root, 'bin/kill'), 0o755);
  if (withExecutables) {
    // What a release and the install script put there.
    mkdirSync(join(root, 'opt/persomux/current/bin'), { recursive: true });
    mkdirSync(join(root, 'opt/persomux/bin'), { recursive: true });
    copyFileSync(join(ROOT, 'bin/persomux'), join(root, 'opt/persomux/current/bin/persomux'));
    copyFileSync(join(ROOT, 'firmware/bin/persomux-box'), join(root, 'opt/persomux/bin/persomux-box'));
    chmodSync(join(root, 'opt/persomux/current/bin/persomux'), 0o755);
    chmodSync(join(root, 'opt/persomux/bin/persomux-box'), 0o755);
  }
  return { root, remove: s.remove };
}

function analyze(args: string[]): { code: number | null; out: string } {
  const r = spawnSync('systemd-analyze', args, { encoding: 'utf8', env: { ...process.env, SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '' } });
  return { code: r.status, out: r.stdout + r.stderr };
}

function directives(unit: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of readFileSync(join(ROOT, 'firmware/systemd', unit), 'utf8').split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) map.set(m[1]!, [...(map.get(m[1]!) ?? []), m[2]!]);
  }
  return map;
}

const seconds = (v: string) => (/^(\d+)s$/.exec(v) ? Number(v.slice(0, -1)) : /^(\d+)min$/.exec(v) ? Number(v.slice(0, -3)) * 60 : NaN);

test('every unit passes systemd-analyze verify with its executables staged', () => {
  const s = stage(true);
  try {
    for (const u of UNITS) {
      const r = analyze(['verify', `--root=${s.root}`, `/etc/systemd/system/${u}`]);
      assert.is(r.code, 0, `${u}: ${r.out}`);
      assert.is(r.out.trim(), '', `${u}: ${r.out}`);
    }
  } finally {
    s.remove();
  }
});

test('verify does check ExecStart: without the release in place it fails naming the path', () => {
  const s = stage(false);
  try {
    const r = analyze(['verify', `--root=${s.root}`, '/etc/systemd/system/persomux.service']);
    assert.is.not(r.code, 0);
    assert.match(r.out, '/opt/persomux/current/bin/persomux is not executable');
  } finally {
    s.remove();
  }
});

test('the router unit rates at most 2.5 ("OK") in systemd-analyze security, and so does the data server', () => {
  for (const u of ['persomux.service', 'persomux-dataserver.service']) {
    const r = analyze(['security', '--offline=true', join(ROOT, 'firmware/systemd', u)]);
    const m = /Overall exposure level for \S+: (\d+\.\d+) (\w+)/.exec(r.out);
    assert.ok(m, r.out);
    assert.ok(Number(m[1]) <= 2.5, `${u} rates ${m[1]} ${m[2]}`);
  }
});

test('the router unit: notify with a watchdog, no fixed Node.js, SIGHUP reload, a stop budget above the router own', () => {
  const d = directives('persomux.service');
  assert.equal(d.get('Type'), ['notify']);
  assert.ok(seconds(d.get('WatchdogSec')![0]!) > 0);
  for (const exec of [...d.get('ExecStart')!, ...d.get('ExecStartPre')!]) {
    assert.ok(exec.startsWith('/opt/persomux/current/bin/persomux '), exec);
    assert.not.match(exec, /node/);
  }
  assert.equal(d.get('ExecReload'), ['/bin/kill -HUP $MAINPID']);
  assert.ok(seconds(d.get('TimeoutStopSec')![0]!) > ROUTER_STOP_TIMEOUT_S);
  // `persomux check` warns against a stopTimeoutMs the unit would cut short: it must know the unit's value.
  assert.is(seconds(d.get('TimeoutStopSec')![0]!) * 1000, UNIT_TIMEOUT_STOP_MS);
  // The options this service does not tolerate (V8's JIT; /sys writes of the LED backends).
  assert.not.ok(d.has('MemoryDenyWriteExecute'));
  assert.not.ok(d.has('ProtectKernelTunables'));
  assert.equal(d.get('SupplementaryGroups'), ['dialout gpio']);
  assert.equal(d.get('CapabilityBoundingSet'), ['']);
  assert.equal(d.get('AmbientCapabilities'), ['']);
});

test('the confirm oneshot runs the box tool from its fixed path and never fails the boot', () => {
  const d = directives('persomux-confirm.service');
  assert.equal(d.get('Type'), ['oneshot']);
  assert.equal(d.get('ExecStart'), ['/opt/persomux/bin/persomux-box confirm']);
  assert.equal(d.get('WantedBy'), ['multi-user.target']);
});

test.run();
