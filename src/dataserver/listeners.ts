// Where routers reach the data server: a TCP listener (one connection per
// router, capped), and serial lines opened once at start. Each hands the
// byte stream of a new router to the server; neither knows the protocol.
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SerialSettings } from '../config/types.js';
import { openSerial } from '../serial-port.js';

/** A data server serves a few routers: a flood of connections is refused. */
export const MAX_CONNECTIONS = 64;

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

/** Serves one router on a serial line: opened now, not reopened. */
export function attachSerial(settings: SerialSettings, attach: Attach): Promise<void> {
  return new Promise((resolve, reject) => {
    const port = openSerial(settings);
    port.open((err) => {
      if (err) return reject(err);
      attach(port, 'serial');
      resolve();
    });
  });
}
