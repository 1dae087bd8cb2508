// A thin forwarder, the yardstick of bench (a): what moving a station's
// request to a data server and its answer back costs with no features at
// all: no queue, no slots, no ttl, no acks, no retransmission cache, no
// sealing, no logs. Each line gets its own plaintext TCP connection to a data
// server (round robin) and keeps the station's ids, so there is nothing to
// map; answers go back re-framed. Bytes move through serialport's stream
// (`serialport`) or through Node's tty streams on the pty's descriptor (`tty`).
//
//   node --import tsx test/bench/routing/forwarder.ts serialport|tty HOST:PORT[,HOST:PORT...] PTY...
//
// It prints `ready` once every line is open and every connection has had the
// server's `ready`, and stops on SIGTERM.
import { openSync, constants } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { ReadStream, WriteStream } from 'node:tty';
import { SerialPort } from 'serialport';
import { decodeCbor, encodeCbor } from '../../../src/wire/cbor.js';
import { encodeFrame } from '../../../src/wire/frame.js';
import { FrameReader } from '../../../src/wire/frame-reader.js';
import { encodeMessage } from '../../../src/wire/messages.js';

interface Line {
  write(bytes: Buffer): void;
  onData(fn: (chunk: Buffer) => void): void;
  close(): void;
}

async function openLine(io: string, path: string): Promise<Line> {
  if (io === 'tty') {
    const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
    const input = new ReadStream(fd);
    const output = new WriteStream(fd);
    return { write: (b) => output.write(b), onData: (fn) => input.on('data', fn), close: () => input.destroy() };
  }
  const port = new SerialPort({ path, baudRate: 115_200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  return { write: (b) => port.write(b), onData: (fn) => port.on('data', fn), close: () => port.close(() => {}) };
}

async function main(): Promise<void> {
  const [io, serverList, ...paths] = process.argv.slice(2);
  if ((io !== 'tty' && io !== 'serialport') || !serverList || paths.length === 0) throw new Error('usage: forwarder.ts serialport|tty HOST:PORT[,...] PTY...');
  const servers = serverList.split(',').map((s) => {
    const [host, port] = s.split(':');
    return { host: host!, port: Number(port) };
  });
  const sockets: Socket[] = [];
  const lines: Line[] = [];
  const ready: Promise<void>[] = [];
  paths.forEach((path, i) => {
    const server = servers[i % servers.length]!;
    ready.push(
      (async () => {
        const line = await openLine(io, path);
        lines.push(line);
        const socket = connect(server.port, server.host);
        socket.setNoDelay(true);
        sockets.push(socket);
        const station = `fwd/l${i}`;
        const fromLine = new FrameReader(4096);
        const fromServer = new FrameReader(4096);
        let gotReady!: () => void;
        const isReady = new Promise<void>((r) => (gotReady = r));
        line.onData((chunk) => {
          for (const e of fromLine.push(chunk)) {
            if (e.kind !== 'frame') continue;
            const m = decodeCbor(e.body) as { t?: unknown; id?: unknown; op?: unknown; body?: unknown };
            if (m.t !== 'req' || typeof m.id !== 'number' || typeof m.op !== 'string') continue;
            // Bodies are spliced in as raw CBOR (wire/messages.ts): encode the decoded value back.
            const body = m.body === undefined ? undefined : encodeCbor(m.body);
            socket.write(encodeFrame(encodeMessage({ t: 'req', id: m.id, op: m.op, ...(body ? { body } : {}), station, ttl: 10_000 })));
          }
        });
        socket.on('data', (chunk) => {
          for (const e of fromServer.push(chunk)) {
            if (e.kind !== 'frame') continue;
            const t = (decodeCbor(e.body) as { t?: unknown }).t;
            if (t === 'res') line.write(encodeFrame(e.body));
            else if (t === 'ready') gotReady();
          }
        });
        socket.on('error', (err) => {
          process.stderr.write(`forwarder: ${server.host}:${server.port}: ${err.message}\n`);
          process.exit(1);
        });
        await isReady;
      })(),
    );
  });
  await Promise.all(ready);
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    for (const s of sockets) s.destroy();
    for (const l of lines) l.close();
    process.exit(0);
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`forwarder: ${(e as Error).message}\n`);
  process.exit(1);
});
