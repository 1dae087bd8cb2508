// The udev rules are made from the board files: one rule per port, the name the
// router's config uses, the Pi 5's controller in its ID_PATH, and the LED class
// files given to the service user.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { udevRules } from '../../firmware/bin/udev-rules.mjs';
import { scratchDir } from '../../src/sim/pty-pair.js';

const boards = readdirSync('board').filter((f) => f.endsWith('.json'));

function ttyRules(text: string): { idPath: string; symlink: string }[] {
  return [...text.matchAll(/^SUBSYSTEM=="tty", ENV\{ID_PATH\}=="([^"]+)", SYMLINK\+="([^"]+)", GROUP="persomux", MODE="0660"$/gm)].map((m) => ({ idPath: m[1]!, symlink: m[2]! }));
}

test('every board: one rule per port, no ID_PATH or name twice', () => {
  assert.ok(boards.length >= 4, boards.join(' '));
  for (const b of boards) {
    const rules = ttyRules(udevRules(join('board', b)));
    assert.ok(rules.length >= 9, `${b}: ${rules.length} rules`);
    assert.is(new Set(rules.map((r) => r.idPath)).size, rules.length, `${b}: an ID_PATH twice`);
    assert.is(new Set(rules.map((r) => r.symlink)).size, rules.length, `${b}: a name twice`);
    for (const r of rules) assert.match(r.symlink, /^persomux\/[a-z0-9-]+$/);
  }
});

test('a Pi 5 rule names its xHCI controller; a Pi 4 rule matches behind the hub', () => {
  const pi5 = ttyRules(udevRules('board/persomux-pi5.json'));
  assert.equal(pi5.find((r) => r.symlink === 'persomux/m2-s1'), { idPath: 'platform-xhci-hcd.1-usb-0:1:1.0', symlink: 'persomux/m2-s1' });
  const pi4 = ttyRules(udevRules('board/persomux-pi4.json'));
  assert.equal(pi4.find((r) => r.symlink === 'persomux/m1-s1'), { idPath: '*-usb-0:1.1:1.0', symlink: 'persomux/m1-s1' });
});

test('LED class files and gpio devices are given to the service user and the gpio group', () => {
  const text = udevRules('board/persomux-pi4.json');
  assert.match(text, /SUBSYSTEM=="leds", KERNEL=="persomux-\*", ACTION=="add", ATTR\{trigger\}="timer"/);
  assert.match(text, 'RUN+="/bin/chmod g+w /sys%p/trigger /sys%p/brightness /sys%p/delay_on /sys%p/delay_off"');
  assert.match(text, /ACTION=="change", ENV\{TRIGGER\}=="timer"/);
  assert.match(text, 'SUBSYSTEM=="gpio", KERNEL=="gpiochip*", GROUP="gpio", MODE="0660"');
});

test('a board file with a bad port is refused, naming the file and the field', () => {
  const s = scratchDir('udev');
  try {
    const f = join(s.dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ board: 'x', ports: [{ line: 'a', usbPath: '1.1:1.0', device: '/dev/a' }, { line: 'b', usbPath: '1.1', device: '/dev/b' }] }));
    assert.throws(() => udevRules(f), (e: Error) => e.message === `${f}: ports[1].usbPath: must look like '1.2:1.0', got "1.1"`);
  } finally {
    s.remove();
  }
});

test.run();
