// Opens and closes serial devices: the one place that knows serialport's
// option names, shared by station lines, serial server links and the data server.
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import type { SerialSettings } from './config/types.js';

/**
 * `reads: false`: the port is opened and configured but never read through
 * serialport (tty-port.ts moves its bytes), so it gets no 64 KB read pool of
 * its own (serialport's default highWaterMark): 2 MB for 32 lines.
 */
export function openSerial(settings: SerialSettings, { reads = true }: { reads?: boolean } = {}): SerialPort {
  return new SerialPort({
    ...(reads ? {} : { highWaterMark: 64 }),
    path: settings.path,
    baudRate: settings.baudRate,
    dataBits: settings.dataBits,
    parity: settings.parity,
    stopBits: settings.stopBits,
    rtscts: settings.rtscts,
    autoOpen: false,
  });
}

/**
 * Ends a link's stream. A serial port must be closed, not destroyed: destroy
 * keeps its file descriptor and lock, and the next open fails "Cannot lock port".
 */
export function closeStream(stream: Duplex): void {
  if (stream instanceof SerialPort) {
    if (stream.isOpen) stream.close(() => {});
  } else {
    stream.destroy();
  }
}
