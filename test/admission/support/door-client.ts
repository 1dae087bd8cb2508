// Hostile clients at an accepting side's door (issue 11 item 1), on real
// loopback sockets from an address of their own (127.0.0.2, ...): each opens a
// connection, may send an `open` with a kid it sniffed (`open` is plaintext)
// and then a byte now and then to look alive, and notes when the server
// closes it. They never hold a key, so they never authenticate.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { encodeFrame } from '../../../src/wire/frame.js';
import { encodeMessage } from '../../../src/wire/messages.js';

export interface DoorClientOptions {
  readonly port: number;
  readonly host?: string;
  /** Source address (any 127.x.y.z on Linux). */
  readonly from: string;
  /** Send a well-formed `open` with this kid first. */
  readonly openKid?: Buffer;
  /** Raw bytes to send first instead (a malformed `open`, say). */
  readonly first?: Buffer;
  /** Send one byte this often (ms) while open. */
  readonly trickleMs?: number;
}

export class DoorClient {
  readonly openedAt = Date.now();
  closedAt: number | undefined;
  connected = false;
  private readonly socket: Socket;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: DoorClientOptions) {
    this.socket = connect({ port: options.port, host: options.host ?? '127.0.0.1', localAddress: options.from });
    this.socket.on('error', () => {});
    this.socket.on('data', () => {});
    this.socket.on('connect', () => {
      this.connected = true;
      if (options.openKid) this.socket.write(encodeFrame(encodeMessage({ t: 'open', v: 1, kid: options.openKid, r: randomBytes(8) })));
      if (options.first) this.socket.write(options.first);
      if (options.trickleMs) this.timer = setInterval(() => this.socket.write(Buffer.of(0x41)), options.trickleMs);
    });
    this.socket.on('close', () => {
      this.closedAt = Date.now();
      if (this.timer) clearInterval(this.timer);
    });
  }

  get closed(): boolean {
    return this.closedAt !== undefined;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.socket.destroy();
  }
}

/** `n` clients with the same options. */
export function doorClients(n: number, options: DoorClientOptions): DoorClient[] {
  return Array.from({ length: n }, () => new DoorClient(options));
}
