// In-memory transports for the middle tier of tests: a duplex pair standing
// for a TCP connection, and serial devices that can be present, refuse to
// open, or be unplugged, standing for USB adapters. Bytes move on the next
// turn of the event loop, as on a real socket.
import { Duplex } from 'node:stream';
import { EventEmitter } from 'node:events';
import type { LineConfig } from '../../src/config/types.js';
import type { LineDevices, LinePort } from '../../src/lines/station-line.js';

/** Two connected ends: what one writes, the other reads. Destroying one closes both. */
export function memoryPair(): [Duplex, Duplex] {
  const make = (): Duplex & { other?: Duplex } =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, done) {
        const other = (this as Duplex & { other?: Duplex }).other!;
        setImmediate(() => other.destroyed || other.push(Buffer.from(chunk)));
        done();
      },
      destroy(err, done) {
        const other = (this as Duplex & { other?: Duplex }).other!;
        setImmediate(() => other.destroy());
        done(err);
      },
    });
  const a = make();
  const b = make();
  a.other = b;
  b.other = a;
  return [a, b];
}

/** Lets every pending in-memory delivery happen (bytes, closes). Not a sleep: no time passes on the fake clock. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

export class MemoryPort extends EventEmitter implements LinePort {
  isOpen = false;
  readonly written: Buffer[] = [];

  constructor(private readonly device: MemoryDevice) {
    super();
  }

  open(callback: (err: Error | null) => void): void {
    setImmediate(() => {
      if (!this.device.present || this.device.refuse) return callback(new Error(this.device.present ? this.device.refuse! : 'No such file or directory'));
      this.isOpen = true;
      this.device.port = this;
      callback(null);
    });
  }

  close(callback: () => void): void {
    this.isOpen = false;
    setImmediate(callback);
  }

  write(bytes: Buffer): void {
    if (this.isOpen) this.written.push(Buffer.from(bytes));
  }

  /** The station sends bytes. */
  fromStation(bytes: Buffer): void {
    if (this.isOpen) this.emit('data', bytes);
  }
}

export interface MemoryDevice {
  present: boolean;
  /** An open error to give while set (the device exists but cannot be opened). */
  refuse?: string;
  port?: MemoryPort;
}

export class MemoryDevices implements LineDevices {
  readonly devices = new Map<string, MemoryDevice>();
  opens = 0;

  device(path: string): MemoryDevice {
    let d = this.devices.get(path);
    if (!d) this.devices.set(path, (d = { present: true }));
    return d;
  }

  open(settings: LineConfig["serial"]): LinePort {
    this.opens++;
    return new MemoryPort(this.device(settings.path));
  }

  present(path: string): boolean {
    return this.device(path).present;
  }

  /** The adapter is pulled out: the node goes away; the port may or may not notice. */
  unplug(path: string, portNotices: boolean): void {
    const d = this.device(path);
    d.present = false;
    const port = d.port;
    d.port = undefined;
    if (port?.isOpen && portNotices) {
      port.isOpen = false;
      port.emit('close', Object.assign(new Error('disconnected'), { disconnected: true }));
    }
  }
}
