// A test station on its end of a pty: speaks the native protocol (or raw
// ASCII text) and records everything the router says to it.
import { StationClient } from '../../src/sim/station-client.js';
import { encodeCbor } from '../../src/wire/cbor.js';
import type { RouterToStation, StationMessage } from '../../src/wire/messages.js';
import { waitFor } from './wait.js';

type Res = Extract<RouterToStation, { t: 'res' }>;

export class StationPeer {
  readonly received: RouterToStation[] = [];
  /** Every byte received, as text: for ASCII lines. */
  text = '';
  /** Every frame body received, for byte-for-byte checks. */
  readonly frames: Buffer[] = [];
  private readonly client: StationClient;

  constructor(
    readonly path: string,
    protocol: 'native' | 'ascii' = 'native',
  ) {
    this.client = new StationClient(path, {
      bytes: (chunk) => {
        this.text += chunk.toString('latin1');
      },
      message: (msg, frame) => {
        this.received.push(msg);
        this.frames.push(frame);
      },
    }, protocol);
  }

  async open(): Promise<this> {
    await this.client.open();
    return this;
  }

  close(): Promise<void> {
    return this.client.close();
  }

  write(bytes: Uint8Array | string): void {
    this.client.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Resolves once what was written has left this end of the pty. */
  flush(): Promise<void> {
    return this.client.flush();
  }

  send(msg: StationMessage): void {
    this.client.send(msg);
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
