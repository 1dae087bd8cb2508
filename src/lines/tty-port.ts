// A station line's port that serialport opens and configures (path, speed,
// parity, the exclusive lock) but whose bytes move through one libuv TTY
// handle on the same descriptor (Node's tty.WriteStream, read and written,
// non-blocking), instead of serialport's stream (a poller event, then a
// thread-pool read per chunk and a thread-pool write per write: FACTS.md,
// "serialport's I/O cost"). Writes made in one event-loop turn leave in one
// write (links/turn-writer.ts, as on the server links; a microtask would
// batch only one callback's writes, so an ack and the answer to the line's
// other request would leave apart). A LinePort (kept-port.ts), so the line
// machine, reopen and presence checks are unchanged.
//
// Two descriptors, one owner each: serialport keeps its own (configured, and
// holding the flock that keeps a second opener out) idle, never reading or
// writing; the TTY handle gets a second descriptor on the same device. Closing
// closes each by its owner, once. (Handing serialport's descriptor to the TTY
// handle would not do: libuv reopens a tty on init and dup2s the new one over
// it, which drops serialport's flock, and two owners would close it twice.)
import { EventEmitter } from 'node:events';
import { constants, openSync } from 'node:fs';
import { WriteStream } from 'node:tty';
import type { SerialPort } from 'serialport';
import type { SerialSettings } from '../config/types.js';
import { openSerial } from '../serial-port.js';
import { serialDevices, type LineDevices, type LinePort } from './kept-port.js';
import { TurnWriter } from '../links/turn-writer.js';

type CloseError = Error & { disconnected?: boolean };

export class TtyLinePort extends EventEmitter implements LinePort {
  private tty: WriteStream | undefined;
  private out: TurnWriter | undefined;
  private closing = false;

  constructor(private readonly serial: SerialPort) {
    super();
  }

  get isOpen(): boolean {
    return this.tty !== undefined && !this.closing;
  }

  open(callback: (err: Error | null) => void): void {
    this.serial.open((err) => {
      if (err) return callback(err);
      let fd: number;
      try {
        fd = openSync(this.serial.path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
      } catch (e) {
        this.serial.close(() => callback(e as Error));
        return;
      }
      const tty = new WriteStream(fd);
      // tty.WriteStream writes block by default: a station that stops reading (flow control) must not stop the router.
      (tty as unknown as { _handle?: { setBlocking?(b: boolean): void } })._handle?.setBlocking?.(false);
      tty.on('data', (chunk: Buffer) => this.emit('data', chunk));
      tty.on('error', (e: NodeJS.ErrnoException) => {
        if (!this.closing) this.emit('error', e);
      });
      tty.on('end', () => tty.destroy());
      tty.on('close', () => {
        const wasOpen = !this.closing;
        this.tty = undefined;
        this.closing = true;
        this.serial.close(() => {
          // An unplugged adapter or a vanished pty ends the stream (EIO, end): a disconnection, as serialport reports it.
          const error: CloseError | null = wasOpen ? Object.assign(new Error('the device went away'), { disconnected: true }) : null;
          this.emit('close', error);
        });
      });
      this.tty = tty;
      this.out = new TurnWriter(tty);
      callback(null);
    });
  }

  write(bytes: Buffer): void {
    if (!this.tty || this.closing) return;
    this.out?.write(bytes);
  }

  drain(callback: (err?: Error | null) => void): void {
    this.out?.flush();
    const tty = this.tty;
    if (!tty || tty.writableLength === 0) return callback(null);
    tty.once('drain', () => callback(null));
  }

  close(callback: () => void): void {
    const tty = this.tty;
    if (!tty || this.closing) return callback();
    this.out?.flush();
    this.closing = true;
    this.once('close', () => callback());
    tty.destroy();
  }
}

export function openTtyLinePort(settings: SerialSettings): TtyLinePort {
  return new TtyLinePort(openSerial(settings, { reads: false }));
}

/** Station lines' devices with the bytes on a TTY handle (the router's default; kept-port.ts `serialDevices` stays serialport's stream). */
export const ttyDevices: LineDevices = {
  open: (settings) => openTtyLinePort(settings),
  present: serialDevices.present,
};
