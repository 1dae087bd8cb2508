// The lamps of a front panel: from a board file (each LED with its pin and
// LED-class name), or, without one, one lamp per configured line and server
// plus the system lamp (the console backend draws those).
import type { Board } from '../config/board.js';
import type { Lamp } from './driver.js';

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
