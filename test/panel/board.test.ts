// Board files: the shipped ones parse and fit a configuration of their own
// lines; `check` names every mismatch; the config's panel section is validated.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/errors.js';
import { checkBoard } from '../../src/panel/board-check.js';
import { loadBoard, parseBoard } from '../../src/panel/board.js';
import { checkPanel } from '../../src/panel/check-panel.js';

const SHIPPED = { 'persomux-pi4': 8, 'persomux-pi4-16': 16, 'persomux-pi5': 8, 'persomux-pi5-16': 16 } as const;

function configOf(lines: string[], servers: string[], panel?: object): string {
  return JSON.stringify({
    router: 'box',
    lines: lines.map((name) => ({ name, path: `/dev/persomux/${name}` })),
    servers: servers.map((name, i) => ({ name, tcp: `127.0.0.1:${7000 + i}`, insecure: true })),
    ...(panel ? { panel } : {}),
  });
}

test('each shipped board: its line count, a system LED, the right gpiochip, and it fits a config of its own lines', () => {
  for (const [name, count] of Object.entries(SHIPPED)) {
    const board = loadBoard(name, '.');
    const lines = board.leds.filter((l) => l.line).map((l) => l.line!);
    assert.is(lines.length, count, name);
    assert.ok(board.leds.some((l) => l.system), `${name} has a system LED`);
    assert.equal(board.chipLabels, [name.startsWith('persomux-pi5') ? 'pinctrl-rp1' : 'pinctrl-bcm2711'], name);
    const config = parseConfigText(`${name}.json`, configOf(lines, ['hsm-a', 'hsm-b'], { backend: 'gpio', board: name }));
    assert.equal(checkBoard(board, config), { problems: [], notes: [] }, name);
    assert.equal(checkPanel(config).ok, true);
  }
});

test('the example router config fits the Pi 4 board', () => {
  const config = loadConfig('firmware/config/router.example.json');
  assert.equal(checkBoard(loadBoard('persomux-pi4', '.'), config), { problems: [], notes: [] });
});

test('check names each mismatch: a line without LED or port, a port on another device, a pin used twice; a stray LED is a note', () => {
  const board = parseBoard('b.json', {
    board: 'test',
    gpio: { chipLabels: ['pinctrl-rp1'] },
    leds: [
      { line: 'm1-s1', bcm: 5, ledClass: 'a' },
      { line: 'm9-s9', bcm: 5, ledClass: 'b' },
      { server: 'ds1', bcm: 6, ledClass: 'a' },
    ],
    ports: [
      { line: 'm1-s1', adapter: 'A', port: 0, usbPath: '1.1:1.0', device: '/dev/ttyUSB7' },
      { line: 'm1-s2', adapter: 'A', port: 0, usbPath: '1.1:1.1', device: '/dev/persomux/m1-s2' },
    ],
  });
  const config = parseConfigText('c.json', configOf(['m1-s1', 'm1-s2', 'm1-s3'], ['ds1']));
  const { problems, notes } = checkBoard(board, config);
  assert.equal(notes, ['leds[1]: line m9-s9 is not in the configuration (its LED stays off)']);
  assert.equal(problems, [
    'line m1-s1: the config opens /dev/persomux/m1-s1, board b names its port /dev/ttyUSB7',
    'line m1-s2 has no LED on board b',
    'line m1-s3 has no LED on board b',
    'line m1-s3 has no USB port on board b',
    'board b has no system LED',
    'leds[1]: BCM pin 5 is already used by leds[0]',
    'leds[2]: LED-class name a is already used by leds[0]',
    'ports[1]: adapter A port 0 is already used by ports[0]',
  ]);
});

test('a bad board file names the field', () => {
  try {
    parseBoard('b.json', { board: 'x', gpio: { chipLabels: [] }, leds: [{ line: 'a', server: 'b', bcm: 1, ledClass: 'a' }, { system: true, bcm: 99, ledClass: 'x' }], ports: [] });
    assert.unreachable();
  } catch (e) {
    assert.equal((e as Error).message.split('\n'), [
      'b.json: gpio.chipLabels: must be a non-empty array of gpiochip labels',
      "b.json: leds[0]: needs exactly one of 'line' (a line name), 'server' (a server name) or 'system': true",
      'b.json: leds[1].bcm: must be a BCM GPIO number, 0 to 53',
    ]);
  }
});

test('the config panel section: backend, a board where one is needed, a board that does not exist, a board by path', () => {
  const problems = (panel: unknown): string[] => {
    try {
      parseConfigText('c.json', configOf(['m1-s1'], ['ds1'], panel as object));
      return [];
    } catch (e) {
      assert.instance(e, ConfigError);
      return (e as ConfigError).problems.map((p) => `${p.field}: ${p.reason}`);
    }
  };
  assert.equal(problems({ backend: 'leds' }), ['panel.backend: must be one of "gpio", "led-class", "console", "none"']);
  assert.match(problems({ backend: 'gpio' })[0]!, /^panel.board: is missing: the gpio backend needs a board file/);
  assert.match(problems({ backend: 'led-class', board: 'persomux-pi9' })[0]!, /^panel.board: .*persomux-pi9.json: no such board file/);
  assert.equal(problems({ backend: 'console', colour: 'red' }), ['panel.colour: unknown field (known: backend, board)']);
  assert.equal(problems({ backend: 'console' }), []);
  assert.equal(parseConfigText('c.json', configOf(['m1-s1'], ['ds1'])).panel, { backend: 'none', board: undefined });
  const dir = mkdtempSync(join(tmpdir(), 'persomux-board-'));
  try {
    writeFileSync(join(dir, 'mine.json'), JSON.stringify({ board: 'mine', gpio: { chipLabels: ['pinctrl-rp1'] }, leds: [{ system: true, bcm: 4, ledClass: 's' }], ports: [] }));
    writeFileSync(join(dir, 'router.json'), configOf(['m1-s1'], ['ds1'], { backend: 'gpio', board: './mine.json' }));
    const config = loadConfig(join(dir, 'router.json'));
    assert.is(config.panel.board?.name, 'mine');
    const check = checkPanel(config);
    assert.is(check.ok, false);
    assert.ok(check.lines.some((l) => l.endsWith('panel.board: line m1-s1 has no LED on board mine')));
    const fewer = parseConfigText('c.json', configOf(['m1-s1'], ['hsm-a', 'hsm-b'], { backend: 'led-class', board: 'persomux-pi4' }));
    const ok = checkPanel(fewer);
    assert.is(ok.ok, true, 'a site using fewer lines than the box has passes');
    assert.ok(ok.lines.includes('  note: leds[1]: line m1-s2 is not in the configuration (its LED stays off)'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
