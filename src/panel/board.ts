// A board file (board/*.json): which USB port is which line, which LED shows
// which line, server or the system, on which BCM pin (gpio backend) and under
// which LED-class name (led-class backend). Read once, at the edge; a mistake
// names the file, the field and the reason.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lamp } from './driver.js';

export interface BoardLed {
  readonly line?: string;
  readonly server?: string;
  readonly system?: true;
  readonly bcm: number;
  readonly ledClass: string;
  readonly colour?: string;
}

export interface BoardPort {
  readonly line?: string;
  readonly server?: string;
  readonly adapter: string;
  readonly port: number;
  readonly usbPath: string;
  readonly device: string;
}

export interface Board {
  readonly name: string;
  readonly file: string;
  readonly description: string;
  readonly chipLabels: readonly string[];
  readonly leds: readonly BoardLed[];
  readonly ports: readonly BoardPort[];
}

export class BoardError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'));
    this.name = 'BoardError';
  }
}

/** The shipped board files: `board/` of the checkout (src/panel/../../board) or of the install (dist/panel/../../board). */
export const BOARD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../board');

/** A board by name (`persomux-pi5-16`: a file in board/) or by path (relative to `baseDir`). */
export function boardFile(nameOrPath: string, baseDir: string): string {
  if (nameOrPath.includes('/') || nameOrPath.endsWith('.json')) return isAbsolute(nameOrPath) ? nameOrPath : resolve(baseDir, nameOrPath);
  return join(BOARD_DIR, `${nameOrPath}.json`);
}

export function loadBoard(nameOrPath: string, baseDir: string): Board {
  const file = boardFile(nameOrPath, baseDir);
  if (!existsSync(file)) throw new BoardError(file, [`no such board file (shipped boards: persomux-pi4, persomux-pi4-16, persomux-pi5, persomux-pi5-16)`]);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BoardError(file, [`is not valid JSON: ${(e as Error).message}`]);
  }
  return parseBoard(file, raw);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseBoard(file: string, raw: unknown): Board {
  const problems: string[] = [];
  const fail = (field: string, reason: string): undefined => void problems.push(`${field}: ${reason}`);
  if (!isObj(raw)) throw new BoardError(file, ['(file): must be an object']);
  const description = typeof raw.board === 'string' ? raw.board : fail('board', 'must be a description (string)');
  const gpio = isObj(raw.gpio) ? raw.gpio : fail('gpio', 'must be an object with chipLabels');
  const labels = gpio && Array.isArray(gpio.chipLabels) && gpio.chipLabels.length > 0 && gpio.chipLabels.every((l) => typeof l === 'string') ? (gpio.chipLabels as string[]) : fail('gpio.chipLabels', 'must be a non-empty array of gpiochip labels');
  const leds: BoardLed[] = [];
  (Array.isArray(raw.leds) ? raw.leds : (fail('leds', 'must be an array'), [])).forEach((v: unknown, i: number) => {
    const f = `leds[${i}]`;
    if (!isObj(v)) return fail(f, 'must be an object');
    const roles = ['line', 'server', 'system'].filter((k) => v[k] !== undefined);
    if (roles.length !== 1) return fail(f, "needs exactly one of 'line' (a line name), 'server' (a server name) or 'system': true");
    if (v.line !== undefined && typeof v.line !== 'string') return fail(`${f}.line`, 'must be a line name');
    if (v.server !== undefined && typeof v.server !== 'string') return fail(`${f}.server`, 'must be a server name');
    if (v.system !== undefined && v.system !== true) return fail(`${f}.system`, 'must be true');
    if (typeof v.bcm !== 'number' || !Number.isInteger(v.bcm) || v.bcm < 0 || v.bcm > 53) return fail(`${f}.bcm`, 'must be a BCM GPIO number, 0 to 53');
    if (typeof v.ledClass !== 'string' || !/^[A-Za-z0-9:_.-]+$/.test(v.ledClass)) return fail(`${f}.ledClass`, 'must be a /sys/class/leds name (letters, digits, : _ . -)');
    leds.push(v as unknown as BoardLed);
    return undefined;
  });
  const ports: BoardPort[] = [];
  (Array.isArray(raw.ports) ? raw.ports : (fail('ports', 'must be an array'), [])).forEach((v: unknown, i: number) => {
    const f = `ports[${i}]`;
    if (!isObj(v)) return fail(f, 'must be an object');
    if ((v.line === undefined) === (v.server === undefined)) return fail(f, "needs exactly one of 'line' or 'server'");
    for (const k of ['adapter', 'usbPath', 'device']) if (typeof v[k] !== 'string') return fail(`${f}.${k}`, 'must be a string');
    if (typeof v.port !== 'number') return fail(`${f}.port`, 'must be the adapter port number');
    ports.push(v as unknown as BoardPort);
    return undefined;
  });
  if (problems.length > 0 || description === undefined || labels === undefined) throw new BoardError(file, problems);
  return { name: file.replace(/^.*\//, '').replace(/\.json$/, ''), file, description, chipLabels: labels, leds, ports };
}

/** The lamps a board gives: one per LED of its table. */
export function lampsOfBoard(board: Board): Lamp[] {
  return board.leds.map((led): Lamp => {
    const base = { bcm: led.bcm, ledClass: led.ledClass };
    if (led.line !== undefined) return { id: `line:${led.line}`, role: 'line', target: led.line, ...base };
    if (led.server !== undefined) return { id: `server:${led.server}`, role: 'server', target: led.server, ...base };
    return { id: 'system', role: 'system', target: 'system', ...base };
  });
}

/** Without a board (console backend): the system lamp, a lamp per configured line and per server. */
export function lampsOfConfig(lines: readonly string[], servers: readonly string[]): Lamp[] {
  return [
    { id: 'system', role: 'system', target: 'system' },
    ...lines.map((l): Lamp => ({ id: `line:${l}`, role: 'line', target: l })),
    ...servers.map((s): Lamp => ({ id: `server:${s}`, role: 'server', target: s })),
  ];
}
