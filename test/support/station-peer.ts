// A test station: opens its end of a pty with serialport and speaks the native
// protocol (or ASCII text), recording everything the router says to it.
import { SerialPort } from 'serialport';
import { encodeCbor } from '../../src/wire/cbor.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { FrameReader } from '../../src/wire/frame-reader.js';
import { encodeMessage, type RouterToStation, type StationMessage } from '../../src/wire/messages.js';
import { parseRouterToStation } from '../../src/wire/parse.js';
import { waitFor } from './wait.js';

type Res = Extract<RouterToStation, { t: 'res' }>;

export class StationPeer {
  readonly received: RouterToStation[] = [];
  /** Raw bytes received, for ASCII lines and byte-for-byte checks. */
  text = '';
  readonly frames: Buffer[] = [];
  private readonly reader = new FrameReader(65536);
  private port: SerialPort | undefined;

  constructor(readonly path: string) {}

  async open(): Promise<this> {
    const port = new SerialPort({ path: this.path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('latin1');
      for (const e of this.reader.push(chunk)) {
        if (e.kind !== 'frame') continue;
        this.frames.push(e.body);
        const parsed = parseRouterToStation(e.body);
        if (parsed.ok) this.received.push(parsed.msg);
      }
    });
    port.on('error', () => {});
    this.port = port;
    return this;
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  write(bytes: Uint8Array | string): void {
    this.port!.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  send(msg: StationMessage): void {
    this.write(encodeFrame(encodeMessage(msg)));
  }

  request(id: number, op: string, body?: unknown, ttl?: number): void {
    this.send({ t: 'req', id, op, ...(body === undefined ? {} : { body: encodeCbor(body) }), ...(ttl === undefined ? {} : { ttl }) });
  }

  answers(id: number): Res[] {
    return this.received.filter((m): m is Res => m.t === 'res' && m.id === id);
  }

  acks(id: number): number {
    return this.received.filter((m) => m.t === 'ack' && m.id === id).length;
  }

  answer(id: number, timeoutMs = 5000): Promise<Res> {
    return waitFor(`answer to request ${id} on ${this.path}`, () => this.answers(id)[0], timeoutMs);
  }
}
