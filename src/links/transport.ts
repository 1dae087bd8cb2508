// Opens the byte stream of a server link: a TCP connection or a serial device.
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ServerAddress } from '../config/types.js';
import { openSerial } from '../lines/serial-port.js';

export function describeAddress(address: ServerAddress): string {
  return address.kind === 'tcp' ? `${address.host}:${address.port}` : address.serial.path;
}

/** Resolves with the open stream; rejects when it cannot be opened. */
export function openTransport(address: ServerAddress): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    if (address.kind === 'tcp') {
      const socket = connect({ host: address.host, port: address.port, noDelay: true });
      socket.once('connect', () => {
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
