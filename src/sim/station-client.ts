// The station side of a native line (PROTOCOL.md 2.1), on a serial device:
// what a customizing station's microprocessor does. Simulated stations and
// test peers are built on it.
import { SerialPort } from 'serialport';
import { encodeFrame } from '../wire/frame.js';
import { FrameReader } from '../wire/frame-reader.js';
import { encodeMessage, type RouterToStation, type StationMessage } from '../wire/messages.js';
import { parseRouterToStation } from '../wire/parse.js';

export interface StationClientHandlers {
  message?(msg: RouterToStation, frame: Buffer): void;
  bytes?(chunk: Buffer): void;
}

export class StationClient {
  private readonly reader = new FrameReader(65_536);
  private port: SerialPort | undefined;

  constructor(
    readonly path: string,
    private readonly handlers: StationClientHandlers,
    /** An ASCII terminal sends text only; a native station resynchronises with 0x00 first. */
    private readonly protocol: 'native' | 'ascii' = 'native',
  ) {}

  async open(): Promise<void> {
    const port = new SerialPort({ path: this.path, baudRate: 115_200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('data', (chunk: Buffer) => {
      this.handlers.bytes?.(chunk);
      for (const e of this.reader.push(chunk)) {
        if (e.kind !== 'frame') continue;
        const parsed = parseRouterToStation(e.body);
        if (parsed.ok) this.handlers.message?.(parsed.msg, e.body);
      }
    });
    port.on('error', () => {});
    this.port = port;
    // A lone 0x00 ends whatever partial frame the router holds (PROTOCOL.md 1).
    if (this.protocol === 'native') port.write(Buffer.of(0));
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  write(bytes: Uint8Array): void {
    this.port?.write(bytes);
  }

  /** Resolves once every byte written so far has left this end (tcdrain). */
  flush(): Promise<void> {
    const port = this.port;
    return new Promise((resolve) => (port?.isOpen ? port.drain(() => resolve()) : resolve()));
  }

  send(msg: StationMessage): void {
    this.write(encodeFrame(encodeMessage(msg)));
  }
}
