// What the router does with each thing a station line hands it: a drop is
// counted on the status seam, a malformed `req` is answered `bad-request`,
// `hello` makes the line start over (2.1 rule 2) and is welcomed, `ping` is
// answered at once, `req` goes to the dispatcher.
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { Effect } from '../dispatch/types.js';
import type { Logger } from '../log/logger.js';
import type { RouterToStation } from '../wire/messages.js';
import type { StationEvent } from '../wire/station-codec.js';
import type { RouterEvent } from './events.js';

export interface StationContext {
  readonly routerName: string;
  readonly dispatcher: Dispatcher;
  readonly log: Logger;
  now(): number;
  run(effects: readonly Effect[]): void;
  emit(event: RouterEvent): void;
  send(line: string, msg: RouterToStation): void;
  /** The name the line's station gave in its last hello (undefined: it gave none). */
  station(line: string, name: string | undefined): void;
}

export function fromStation(line: string, e: StationEvent, c: StationContext): void {
  switch (e.kind) {
    case 'write': // written back by the line itself (echo, HELP)
      return;
    case 'drop':
      return c.emit({ kind: 'line-drop', line, reason: e.reason });
    case 'bad-request':
      return c.run(c.dispatcher.badRequest(line, e.id, e.why));
    case 'message':
      break;
  }
  const msg = e.msg;
  switch (msg.t) {
    case 'hello':
      c.log.info('station.hello', { line, station: msg.station, v: msg.v });
      c.station(line, msg.station);
      c.emit({ kind: 'station', line, ...(msg.station === undefined ? {} : { station: msg.station }) });
      c.run(c.dispatcher.hello(line));
      return c.send(line, { t: 'welcome', v: 1, router: c.routerName, line });
    case 'ping':
      return c.send(line, { t: 'pong', n: msg.n });
    case 'req':
      return c.run(c.dispatcher.request(line, msg, c.now()));
  }
}
