// One plaintext link end on a loopback socket, speaking PROTOCOL.md 2.2 frames
// by hand: as a router (sends `req`, collects `ready` and `res`) against a
// data server, or as a fake server (tests decide each answer) for a router.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { FrameReader } from '../../../src/wire/frame-reader.js';
import { encodeFrame } from '../../../src/wire/frame.js';
import { encodeMessage, type RouterToServer, type ServerToRouter } from '../../../src/wire/messages.js';
import { decodeCbor, encodeCbor } from '../../../src/wire/cbor.js';

type Msg = Record<string, unknown> & { t: string };

/** A socket that sends messages and keeps every message it receives. */
export class RawEnd {
  readonly received: Msg[] = [];
  closed = false;
  private readonly reader = new FrameReader(65_536);

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const e of this.reader.push(chunk)) if (e.kind === 'frame') this.received.push(decodeCbor(e.body) as Msg);
    });
    socket.on('error', () => {});
    socket.on('close', () => (this.closed = true));
  }

  send(...msgs: (RouterToServer | ServerToRouter)[]): void {
    this.socket.write(Buffer.concat(msgs.map((m) => encodeFrame(encodeMessage(m)))));
  }

  of(t: string): Msg[] {
    return this.received.filter((m) => m.t === t);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A plaintext router-side client of a data server. */
export function rawRouter(port: number): Promise<RawEnd> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve(new RawEnd(socket)));
    socket.once('error', reject);
  });
}

/** An echo request as a router sends it. */
export function echoReq(id: number, ttl = 5_000): RouterToServer {
  return { t: 'req', id, op: 'echo', body: encodeCbor({ id }), station: 'raw/l1', ttl };
}

/** A fake data server: each connection is handed to `onConnection`. */
export async function fakeServer(onConnection: (end: RawEnd) => void): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => onConnection(new RawEnd(socket)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server };
}
