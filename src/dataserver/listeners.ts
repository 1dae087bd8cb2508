// Where routers reach the data server: a TCP listener, and serial lines kept open (reopened when they come back). Each hands the
// byte stream of a new router to the server; neither knows the protocol.
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SerialSettings } from '../config/types.js';
import type { SerialPort } from 'serialport';
import type { Logger } from '../log/logger.js';
import type { Scheduler } from '../machines/scheduler.js';
import { KeptPort, type LinePort } from '../lines/kept-port.js';

/**
 * A backstop on open sockets only: who may stay is the door's business
 * (admission/door.ts: unauthenticated connections apart, routers apart), and
 * the door keeps far fewer than this open, so it never refuses a router.
 */
export const MAX_CONNECTIONS = 256;

export type Attach = (stream: Duplex, kind: 'tcp' | 'serial') => void;

export interface TcpListener {
  /** The bound port (the one asked for, or the free one picked for 0). */
  readonly port: number;
  /** Stops accepting; connections already open are their owner's to close. */
  close(): Promise<void>;
}

export function listenTcp(host: string, port: number, attach: Attach): Promise<TcpListener> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer((socket: Socket) => {
      socket.setNoDelay(true);
      attach(socket, 'tcp');
    });
    server.maxConnections = MAX_CONNECTIONS;
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      resolve({ port: bound, close: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}

/**
 * Serves one router on a serial line, kept open as a station line is: a
 * device that is missing at start, or unplugged later, is opened when it
 * (re)appears. Each opening hands the port over as a new router's stream.
 */
export function keepSerial(settings: SerialSettings, attach: Attach, log: Logger, scheduler?: Scheduler): { readonly opened: Promise<void>; stop(): void } {
  let first: () => void = () => {};
  const opened = new Promise<void>((resolve) => (first = resolve));
  const kept = new KeptPort<SerialPort & LinePort>(
    settings,
    {
      up: (port) => {
        attach(port, 'serial');
        first();
      },
      // The connection sees its stream close and settles itself.
      down: () => {},
      data: () => {},
      phase: () => {},
    },
    log,
    scheduler,
    undefined,
    'dataserver.serial',
  );
  kept.start();
  return { opened, stop: () => kept.stop() };
}
