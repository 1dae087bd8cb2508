// Opens the byte stream of a server link: a TCP connection or a serial device.
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ServerAddress } from '../config/types.js';
import { openSerial } from '../serial-port.js';

const CONNECT_TIMEOUT_MS = 5_000;

export function describeAddress(address: ServerAddress): string {
  return address.kind === 'tcp' ? `${address.host}:${address.port}` : address.serial.path;
}

/** Resolves with the open stream; rejects when it cannot be opened. */
export function openTransport(address: ServerAddress): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    if (address.kind === 'tcp') {
      const socket = connect({ host: address.host, port: address.port, noDelay: true });
      // A host that drops packets would keep a connect pending for minutes.
      socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)));
      socket.once('connect', () => {
        socket.setTimeout(0);
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
      return;
    }
    const port = openSerial(address.serial);
    port.open((err) => (err ? reject(err) : resolve(port)));
  });
}
