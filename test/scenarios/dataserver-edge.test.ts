// The data server's own edge, spoken to by a raw router peer over loopback
// TCP: a malformed request is answered bad-request (not ignored, not allowed
// to break the audit trail); work waiting when the key store fails is
// answered key-unavailable at once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Socket } from 'node:net';
import { DataServer } from '../../src/dataserver/dataserver.js';
import { KeyUnavailableError } from '../../src/dataserver/crypto/key-store.js';
import type { OpHandler } from '../../src/dataserver/ops/op.js';
import { REFERENCE_OPS } from '../../src/dataserver/ops/echo.js';
import { silentLogger } from '../../src/log/logger.js';
import { encodeCbor } from '../../src/wire/cbor.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { FrameReader } from '../../src/wire/frame-reader.js';
import { encodeMessage, type ServerToRouter } from '../../src/wire/messages.js';
import { parseServerMessage } from '../../src/wire/parse.js';
import { waitFor } from '../support/wait.js';

class RouterPeer {
  readonly received: ServerToRouter[] = [];
  private readonly reader = new FrameReader(4096);
  constructor(private readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      for (const e of this.reader.push(c)) if (e.kind === 'frame') {
        const p = parseServerMessage(e.body);
        if (p.ok) this.received.push(p.msg);
      }
    });
  }
  static async connect(port: number): Promise<RouterPeer> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise((r) => socket.once('connect', r));
    return new RouterPeer(socket);
  }
  send(message: Uint8Array): void {
    this.socket.write(encodeFrame(message));
  }
  res(id: number) {
    return this.received.find((m) => m.t === 'res' && m.id === id) as Extract<ServerToRouter, { t: 'res' }> | undefined;
  }
  close(): void {
    this.socket.destroy();
  }
}

const appended: unknown[] = [];
let failing = false;
const ops = new Map<string, OpHandler>([
  ...REFERENCE_OPS,
  ['slow-key', async () => {
    await new Promise((r) => setTimeout(r, 200));
    if (failing) return { ok: false, err: { code: 'key-unavailable', msg: 'the key store cannot serve this key now' }, detail: 'token gone' };
    return { ok: true, body: encodeCbor('key') };
  }],
]);
const server = new DataServer({
  name: 'ds',
  slots: 1,
  serviceTime: { kind: 'fixed', ms: 0 },
  ops,
  keyStore: { keyLength: () => 128, cmac: async () => Buffer.alloc(16), signIssuer: async () => Buffer.alloc(64), issuerPublicKey: async () => { if (failing) throw new KeyUnavailableError('gone'); return { spki: Buffer.alloc(0), keyId: 'k' }; }, close: async () => {} },
  audit: { append: (entry) => void appended.push(entry) },
  log: silentLogger,
});
let port: number;
let peer: RouterPeer;
test.before(async () => {
  port = await server.listen('127.0.0.1', 0);
  peer = await RouterPeer.connect(port);
  await waitFor('ready', () => peer.received.find((m) => m.t === 'ready'));
});
test.after(async () => {
  peer?.close();
  await server.close();
});

test('a request with an empty station or op is answered bad-request; the server keeps its slots and its audit trail', async () => {
  peer.send(encodeMessage({ t: 'req', id: 1, op: 'echo', station: '', ttl: 1000 }));
  peer.send(encodeMessage({ t: 'req', id: 2, op: '', station: 'r/l', ttl: 1000 }));
  peer.send(encodeMessage({ t: 'req', id: 3, op: 'echo', station: 'r/l', ttl: 1000, body: encodeCbor('fine') }));
  const [r1, r2, r3] = [await waitFor('res 1', () => peer.res(1)), await waitFor('res 2', () => peer.res(2)), await waitFor('res 3', () => peer.res(3))];
  assert.ok(!r1.ok && r1.err.code === 'bad-request' && /station/.test(r1.err.msg), JSON.stringify(r1));
  assert.ok(!r2.ok && r2.err.code === 'bad-request' && /op/.test(r2.err.msg), JSON.stringify(r2));
  assert.ok(r3.ok);
  assert.is(server.announcedSlots, 1);
  assert.equal(appended, [{ station: 'r/l', op: 'echo', outcome: 'ok' }], 'only the well-formed request is audited');
});

test('the key store fails under work: the request at work is answered key-unavailable; beyond the one slot, overloaded at once (reading 10)', async () => {
  failing = true;
  // More than the server's one slot: it holds one, and refuses the others at once (they never run).
  for (let id = 10; id < 13; id++) peer.send(encodeMessage({ t: 'req', id, op: 'slow-key', station: 'r/l', ttl: 5000 }));
  for (let id = 10; id < 13; id++) {
    const res = await waitFor(`res ${id}`, () => peer.res(id), 2000);
    assert.ok(!res.ok && res.err.code === (id === 10 ? 'key-unavailable' : 'overloaded'), JSON.stringify(res));
  }
  await waitFor('0 slots announced', () => peer.received.some((m) => m.t === 'ready' && m.slots === 0));
  failing = false;
  await waitFor('slots announced again', () => peer.received.filter((m) => m.t === 'ready').at(-1)?.slots === 1, 3000);
});

test.run();
