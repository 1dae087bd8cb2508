#!/usr/bin/env node
// Writes persomux's udev rules for one board file (board/<name>.json) to stdout:
// the board file is the one place that says which USB port is which line, so
// the rules are made from it (firmware/install.sh --board NAME installs them as
// /etc/udev/rules.d/99-persomux.rules). Plain Node, no packages: it runs before
// a release's dependencies are installed.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export function udevRules(boardFile) {
  const board = JSON.parse(readFileSync(boardFile, 'utf8'));
  const out = [
    `# Generated from board/${basename(boardFile)} by firmware/bin/udev-rules.mjs: edit the board file, then run firmware/install.sh.`,
    `# ${board.board}`,
    '',
    '# Serial lines: a stable /dev/persomux/<line> per physical USB port, whatever ttyUSBn the kernel',
    '# hands out, for the service user only. A Pi 5 port names its xHCI controller (no hub in front).',
  ];
  for (const [i, p] of (board.ports ?? []).entries()) {
    const where = `${boardFile}: ports[${i}]`;
    if (typeof p.device !== 'string' || !/^\/dev\/[A-Za-z0-9._/-]+$/.test(p.device)) throw new Error(`${where}.device: must be a path under /dev, got ${JSON.stringify(p.device)}`);
    if (typeof p.usbPath !== 'string' || !/^[0-9.]+:[0-9.]+$/.test(p.usbPath)) throw new Error(`${where}.usbPath: must look like '1.2:1.0', got ${JSON.stringify(p.usbPath)}`);
    if (p.controller !== undefined && !/^[A-Za-z0-9._-]+$/.test(p.controller)) throw new Error(`${where}.controller: must be a platform device name like 'xhci-hcd.0'`);
    const idPath = p.controller ? `platform-${p.controller}-usb-0:${p.usbPath}` : `*-usb-0:${p.usbPath}`;
    out.push(`SUBSYSTEM=="tty", ENV{ID_PATH}=="${idPath}", SYMLINK+="${p.device.slice('/dev/'.length)}", GROUP="persomux", MODE="0660"`);
  }
  out.push(
    '',
    '# GPIO (the gpio panel backend): the character devices and exported sysfs pins go to group gpio,',
    '# as Raspberry Pi OS\'s own rules do (kept here for images without them).',
    'SUBSYSTEM=="gpio", KERNEL=="gpiochip*", GROUP="gpio", MODE="0660"',
    'SUBSYSTEM=="gpio", ACTION=="add", PROGRAM="/bin/sh -c \'chgrp -R gpio /sys%p && chmod -R g=u /sys%p\'"',
    '',
    '# Front-panel lamps of the LED class (dtoverlay=gpio-led,label=persomux-<name>): the timer trigger',
    '# makes delay_on/delay_off appear (lamp off until the router sets them); the service user may write',
    '# them, so a blink pattern runs in the kernel. A trigger change recreates them as root\'s: again.',
    'SUBSYSTEM=="leds", KERNEL=="persomux-*", ACTION=="add", ATTR{trigger}="timer", ATTR{delay_on}="0", ATTR{delay_off}="1000", \\',
    '  RUN+="/bin/chgrp persomux /sys%p/trigger /sys%p/brightness /sys%p/delay_on /sys%p/delay_off", \\',
    '  RUN+="/bin/chmod g+w /sys%p/trigger /sys%p/brightness /sys%p/delay_on /sys%p/delay_off"',
    'SUBSYSTEM=="leds", KERNEL=="persomux-*", ACTION=="change", ENV{TRIGGER}=="timer", \\',
    '  RUN+="/bin/chgrp persomux /sys%p/delay_on /sys%p/delay_off", RUN+="/bin/chmod g+w /sys%p/delay_on /sys%p/delay_off"',
    '',
  );
  return out.join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: udev-rules.mjs board/<name>.json\n');
    process.exit(2);
  }
  try {
    process.stdout.write(udevRules(file));
  } catch (e) {
    process.stderr.write(`udev-rules: ${e.message}\n`);
    process.exit(1);
  }
}
