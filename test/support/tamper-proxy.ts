// A man in the middle on loopback TCP, between a router and a data server:
// forwards every byte, and on request tampers with, replays or injects
// frames travelling from the server to the router.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { cobsDecode } from '../../src/wire/cobs.js';
import { encodeFrame } from '../../src/wire/frame.js';

/**
 * A man in the middle changes the sealed body and fixes up COBS and the CRC
 * (they are not security), so the change reaches the AEAD: one bit of the
 * last byte, inside the authentication tag.
 */
function flipLastBodyBit(frame: Buffer): Buffer {
  const raw = cobsDecode(frame.subarray(0, frame.length - 1))!;
  const body = Buffer.from(raw.subarray(0, raw.length - 4));
  body[body.length - 1]! ^= 0x01;
  return encodeFrame(body);
}

export class TamperProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  /** Frames (with their 0x00) seen going server -> router, most recent last. */
  readonly toRouter: Buffer[] = [];
  private tamperCount = 0;
  port = 0;

  constructor(private readonly upstreamPort: number) {}

  async listen(): Promise<number> {
    const server = createServer((client) => {
      const upstream = connect({ host: '127.0.0.1', port: this.upstreamPort });
      const pair = { client, upstream };
      this.pairs.add(pair);
      let partial = Buffer.alloc(0);
      client.on('data', (c) => upstream.write(c));
      upstream.on('data', (chunk: Buffer) => {
        partial = Buffer.concat([partial, chunk]);
        for (let zero = partial.indexOf(0); zero !== -1; zero = partial.indexOf(0)) {
          const frame = Buffer.from(partial.subarray(0, zero + 1));
          partial = partial.subarray(zero + 1);
          if (frame.length > 1) this.toRouter.push(frame);
          if (this.tamperCount > 0 && frame.length > 8) {
            this.tamperCount--;
            client.write(flipLastBodyBit(frame));
          } else {
            client.write(frame);
          }
        }
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('close', end);
      upstream.on('close', end);
      client.on('error', () => {});
      upstream.on('error', () => {});
    });
    this.server = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  /** Flips a bit in each of the next `n` frames from the server. */
  tamper(n = 1): void {
    this.tamperCount += n;
  }

  /** Sends bytes to the router as if the server had sent them. */
  injectToRouter(bytes: Uint8Array): void {
    for (const p of this.pairs) p.client.write(bytes);
  }

  get connections(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    const server = this.server;
    if (server) await new Promise((r) => server.close(r));
  }
}
