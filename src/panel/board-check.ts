// `persomux check`: does the board fit the configuration? Every line has an
// LED and a port (whose device is the line's path), no pin or LED name is
// used twice (problems: check fails); an LED whose line or server the
// configuration does not have is a note (a site may use fewer lines than the box has).
import type { RouterConfig } from '../config/types.js';
import type { Board } from './board.js';

export function checkBoard(board: Board, config: Pick<RouterConfig, 'lines' | 'servers'>): { problems: string[]; notes: string[] } {
  const problems: string[] = [];
  const notes: string[] = [];
  const lineNames = new Set(config.lines.map((l) => l.name));
  const serverNames = new Set(config.servers.map((s) => s.name));
  for (const line of config.lines) {
    if (!board.leds.some((l) => l.line === line.name)) problems.push(`line ${line.name} has no LED on board ${board.name}`);
    const port = board.ports.find((p) => p.line === line.name);
    if (!port) problems.push(`line ${line.name} has no USB port on board ${board.name}`);
    else if (port.device !== line.serial.path) problems.push(`line ${line.name}: the config opens ${line.serial.path}, board ${board.name} names its port ${port.device}`);
  }
  board.leds.forEach((led, i) => {
    if (led.line !== undefined && !lineNames.has(led.line)) notes.push(`leds[${i}]: line ${led.line} is not in the configuration (its LED stays off)`);
    if (led.server !== undefined && !serverNames.has(led.server)) notes.push(`leds[${i}]: server ${led.server} is not in the configuration (its LED stays off)`);
  });
  if (!board.leds.some((l) => l.system)) problems.push(`board ${board.name} has no system LED`);
  const twice = (key: (l: Board['leds'][number]) => string) => {
    const seen = new Map<string, number>();
    board.leds.forEach((led, i) => {
      const k = key(led);
      const first = seen.get(k);
      if (first !== undefined) problems.push(`leds[${i}]: ${k} is already used by leds[${first}]`);
      else seen.set(k, i);
    });
  };
  twice((l) => `BCM pin ${l.bcm}`);
  twice((l) => `LED-class name ${l.ledClass}`);
  twice((l) => `the LED of ${l.line ? `line ${l.line}` : l.server ? `server ${l.server}` : 'the system'}`);
  const ports = new Map<string, number>();
  board.ports.forEach((p, i) => {
    const k = `${p.adapter}:${p.port}`;
    const first = ports.get(k);
    if (first !== undefined) problems.push(`ports[${i}]: adapter ${p.adapter} port ${p.port} is already used by ports[${first}]`);
    else ports.set(k, i);
  });
  return { problems, notes };
}
