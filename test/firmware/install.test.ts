// firmware/install.sh in a scratch root that stands for a fresh Raspberry Pi OS
// Lite box (its account files and systemd's own units, as on any Debian 12):
// the first run prepares it, the second changes nothing, and the box's config
// and keys are never overwritten.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scratchDir } from '../../src/sim/pty-pair.js';
import { udevRules } from '../../firmware/bin/udev-rules.mjs';

const ROOT = resolve(import.meta.dirname, '../..');

/** Every path under dir with its type, mode, owner and content (or link target). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const what = st.isSymbolicLink() ? `-> ${readlinkSync(p)}` : st.isDirectory() ? 'dir' : createHash('sha256').update(readFileSync(p)).digest('hex');
      out.set(p.slice(dir.length), `${st.mode.toString(8)} ${st.uid}:${st.gid} ${what}`);
      if (st.isDirectory() && !st.isSymbolicLink()) walk(p);
    }
  };
  walk(dir);
  return out;
}

function freshBox(): { root: string; remove(): void } {
  const s = scratchDir('install');
  mkdirSync(join(s.dir, 'etc'), { recursive: true });
  for (const f of ['passwd', 'group', 'shadow', 'gshadow', 'login.defs']) copyFileSync(join('/etc', f), join(s.dir, 'etc', f));
  mkdirSync(join(s.dir, 'usr/lib/systemd'), { recursive: true });
  cpSync('/usr/lib/systemd/system', join(s.dir, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
  return { root: s.dir, remove: s.remove };
}

function install(root: string): string {
  const r = spawnSync(join(ROOT, 'firmware/install.sh'), ['--root', root, '--board', 'persomux-pi5'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}

function diff(a: Map<string, string>, b: Map<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).map((k) => `${k}: ${a.get(k) ?? 'absent'} -> ${b.get(k) ?? 'absent'}`);
}

test('run twice: the second run changes nothing', () => {
  const box = freshBox();
  try {
    const first = install(box.root);
    assert.match(first, /install: \d+ changes/);
    const after1 = snapshot(box.root);
    const second = install(box.root);
    assert.equal(diff(after1, snapshot(box.root)), []);
    assert.match(second, 'install: nothing changed');
    assert.not.match(second, /: done/);
  } finally {
    box.remove();
  }
});

test('the box it prepares: a service user in dialout and gpio, its config folder, units enabled, time sync, small journal', () => {
  const box = freshBox();
  try {
    install(box.root);
    const r = box.root;
    const passwd = readFileSync(join(r, 'etc/passwd'), 'utf8');
    const user = /^persomux:x:(\d+):(\d+):[^:]*:[^:]*:(\S+)$/m.exec(passwd);
    assert.ok(user, 'no persomux user');
    assert.is(user[3], '/usr/sbin/nologin');
    const group = readFileSync(join(r, 'etc/group'), 'utf8');
    for (const g of ['dialout', 'gpio']) assert.match(group, new RegExp(`^${g}:x:\\d+:(.*,)?persomux(,.*)?$`, 'm'));
    const conf = lstatSync(join(r, 'etc/persomux'));
    assert.is(conf.mode & 0o777, 0o750);
    assert.is(conf.uid, Number(user[1]));
    assert.is(lstatSync(join(r, 'etc/persomux/keys')).mode & 0o777, 0o700);
    for (const u of ['persomux.service', 'persomux-dataserver.service', 'persomux-confirm.service']) {
      assert.is(readFileSync(join(r, 'etc/systemd/system', u), 'utf8'), readFileSync(join(ROOT, 'firmware/systemd', u), 'utf8'));
    }
    // Enabled = a symlink in the target's .wants (absolute, as seen from the box's own root).
    const wants = (target: string, unit: string) => join(r, 'etc/systemd/system', `${target}.wants`, unit);
    assert.is(readlinkSync(wants('multi-user.target', 'persomux.service')), '/etc/systemd/system/persomux.service');
    assert.is(readlinkSync(wants('multi-user.target', 'persomux-confirm.service')), '/etc/systemd/system/persomux-confirm.service');
    assert.throws(() => lstatSync(wants('multi-user.target', 'persomux-dataserver.service')), /ENOENT/, 'the data server is optional');
    assert.match(readlinkSync(wants('sysinit.target', 'systemd-timesyncd.service')), /systemd-timesyncd\.service$/);
    assert.match(readFileSync(join(r, 'etc/systemd/journald.conf.d/persomux.conf'), 'utf8'), /^SystemMaxUse=\d+M$/m);
    assert.is(readFileSync(join(r, 'etc/udev/rules.d/99-persomux.rules'), 'utf8'), udevRules(join(ROOT, 'board/persomux-pi5.json')));
    assert.is(lstatSync(join(r, 'opt/persomux/bin/persomux-box')).mode & 0o777, 0o755);
  } finally {
    box.remove();
  }
});

test("the box's config and keys are never overwritten; a changed unit is put back", () => {
  const box = freshBox();
  try {
    install(box.root);
    const r = box.root;
    writeFileSync(join(r, 'etc/persomux/router.json'), '{"router":"site-7","lines":[]}\n');
    writeFileSync(join(r, 'etc/persomux/keys/hsm-a.key'), '{"masterSecret":"00"}\n', { mode: 0o600 });
    writeFileSync(join(r, 'etc/systemd/system/persomux.service'), '[Service]\nExecStart=/bin/true\n');
    const before = snapshot(join(r, 'etc/persomux'));
    const out = install(r);
    assert.equal(diff(before, snapshot(join(r, 'etc/persomux'))), []);
    assert.match(out, "install: /etc/persomux/router.json: unchanged (the box's own)");
    assert.match(out, 'install: /etc/systemd/system/persomux.service: done');
    assert.is(readFileSync(join(r, 'etc/systemd/system/persomux.service'), 'utf8'), readFileSync(join(ROOT, 'firmware/systemd/persomux.service'), 'utf8'));
  } finally {
    box.remove();
  }
});

test.run();
