// The configurations we ship are valid, and agree with the board description.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/load.js';
import { udevRules } from '../../firmware/bin/udev-rules.mjs';

const dir = 'firmware/config';

test('every shipped example config passes validation', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 2);
  for (const f of files) loadConfig(`${dir}/${f}`);
});

test('the example router uses the device names the udev rules and board file give', () => {
  const config = loadConfig(`${dir}/router.example.json`);
  const rules = udevRules('board/persomux-pi4.json');
  const board = JSON.parse(readFileSync('board/persomux-pi4.json', 'utf8')) as { ports: { device: string }[] };
  const devices = new Set(board.ports.map((p) => p.device));
  for (const line of config.lines) {
    assert.ok(devices.has(line.serial.path), `${line.name}: ${line.serial.path} is not in board/persomux-pi4.json`);
    assert.ok(rules.includes(`SYMLINK+="${line.serial.path.replace('/dev/', '')}"`), `${line.serial.path} has no udev rule`);
  }
});

test.run();
