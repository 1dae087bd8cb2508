// One router's connection to the data server, in the middle tier: an
// in-memory byte pair instead of a socket, a fake clock for the service
// time, and a router end that speaks real frames. What it shows: `ready`
// with the slots of the moment, never more at work than announced, first
// come first served, waiting work answered when the server stops taking
// work, and work in service cancelled when the link closes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Duplex } from 'node:stream';
import { Connection, type ConnectionContext } from '../../src/dataserver/connection.js';
import type { OpResult } from '../../src/dataserver/ops/op.js';
import type { Work } from '../../src/links/accepted-link.js';
import { silentLogger } from '../../src/log/logger.js';
import { decodeCbor, encodeCbor } from '../../src/wire/cbor.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { FrameReader } from '../../src/wire/frame-reader.js';
import { encodeMessage, type ServerToRouter } from '../../src/wire/messages.js';
import { parseServerMessage } from '../../src/wire/parse.js';
import { waitFor } from '../support/wait.js';
import { FakeScheduler } from './fake-scheduler.js';

/** One end of an in-memory byte stream; destroying either end closes both, as a reset socket would. */
class MemoryEnd extends Duplex {
  peer: MemoryEnd | undefined;
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (e?: Error | null) => void): void {
    this.peer?.push(chunk);
    done();
  }
  override _destroy(err: Error | null, done: (e?: Error | null) => void): void {
    if (this.peer && !this.peer.destroyed) this.peer.destroy();
    done(err);
  }
}

function bytePair(): [MemoryEnd, MemoryEnd] {
  const a = new MemoryEnd();
  const b = new MemoryEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** The router's end: sends requests, keeps what the server says. */
class RouterEnd {
  readonly received: ServerToRouter[] = [];
  private readonly reader = new FrameReader(4096);
  constructor(readonly stream: Duplex) {
    stream.on('data', (chunk: Buffer) => {
      for (const e of this.reader.push(chunk)) {
        if (e.kind !== 'frame') continue;
        const parsed = parseServerMessage(e.body);
        if (parsed.ok) this.received.push(parsed.msg);
      }
    });
  }
  request(id: number, op = 'echo'): void {
    this.stream.write(encodeFrame(encodeMessage({ t: 'req', id, op, station: 'box-1/l1', ttl: 5000, body: encodeCbor(id) })));
  }
  answers(): { id: number; ok: boolean; code?: string }[] {
    return this.received.flatMap((m) => (m.t === 'res' ? [{ id: m.id as number, ok: m.ok, ...(m.ok ? {} : { code: m.err.code }) }] : []));
  }
  readies(): number[] {
    return this.received.flatMap((m) => (m.t === 'ready' ? [m.slots] : []));
  }
}

const SERVICE_MS = 40;

function connection(slots: number) {
  const clock = new FakeScheduler();
  const executed: number[] = [];
  const state = { slots };
  const context: ConnectionContext = {
    maxBody: 4096,
    security: { kind: 'insecure' },
    scheduler: clock,
    log: silentLogger,
    announcedSlots: () => state.slots,
    opNames: () => ['echo'],
    serviceMs: () => SERVICE_MS,
    execute: async (work: Work): Promise<OpResult> => {
      executed.push(decodeCbor(work.body!) as number);
      return { ok: true, body: work.body! };
    },
  };
  const [serverEnd, routerStream] = bytePair();
  let closed = false;
  const conn = new Connection(context, serverEnd, 'tcp', () => (closed = true));
  const router = new RouterEnd(routerStream);
  return { clock, executed, state, conn, router, isClosed: () => closed };
}

test('ready announces the slots and ops of the moment; again when they change', async () => {
  const { conn, router, state } = connection(2);
  await waitFor('ready', () => router.readies().length === 1);
  assert.equal(router.received[0], { t: 'ready', slots: 2, ops: ['echo'] });
  state.slots = 0;
  conn.announce();
  await waitFor('ready 0', () => router.readies().at(-1) === 0);
  conn.close();
});

test('never more at work than the slots announced; the rest start in arrival order as slots free', async () => {
  const { clock, executed, conn, router } = connection(2);
  for (let id = 1; id <= 5; id++) router.request(id);
  await waitFor('5 requests received, 2 in service', () => clock.armed === 2);
  clock.advance(SERVICE_MS);
  await waitFor('2 answered', () => router.answers().length === 2);
  assert.equal(executed, [1, 2]);
  assert.is(clock.armed, 2, 'the next two started as the first two answered, not more');
  clock.advance(SERVICE_MS);
  await waitFor('4 answered', () => router.answers().length === 4);
  clock.advance(SERVICE_MS);
  await waitFor('5 answered', () => router.answers().length === 5);
  assert.equal(executed, [1, 2, 3, 4, 5]);
  assert.equal(router.answers().map((a) => a.id), [1, 2, 3, 4, 5]);
  conn.close();
});

test('slots announced again: waiting work starts as soon as the owner pumps', async () => {
  const { clock, state, conn, router } = connection(0);
  router.request(1);
  router.request(2);
  await waitFor('ready', () => router.readies().length === 1);
  await new Promise((r) => setImmediate(r));
  assert.is(clock.armed, 0, 'no slot: nothing starts');
  state.slots = 1;
  conn.pump();
  assert.is(clock.armed, 1);
  conn.close();
});

test('the server stops taking work: what waits is answered now; what is in service still ends', async () => {
  const { clock, state, conn, router } = connection(1);
  for (let id = 1; id <= 3; id++) router.request(id);
  await waitFor('1 in service', () => clock.armed === 1 && router.readies().length === 1);
  await new Promise((r) => setImmediate(r));
  state.slots = 0;
  conn.failWaiting('key-unavailable', 'the key store cannot serve now');
  await waitFor('the two waiting answered', () => router.answers().length === 2);
  assert.equal(router.answers(), [{ id: 2, ok: false, code: 'key-unavailable' }, { id: 3, ok: false, code: 'key-unavailable' }]);
  clock.advance(SERVICE_MS);
  await waitFor('the one in service answered', () => router.answers().length === 3);
  assert.equal(router.answers()[2], { id: 1, ok: true });
  conn.close();
});

test('the link closes: work in service never runs, and the owner hears of it', async () => {
  const { clock, executed, router, isClosed } = connection(2);
  router.request(1);
  await waitFor('in service', () => clock.armed === 1);
  router.stream.destroy();
  await waitFor('closed', () => isClosed());
  assert.is(clock.armed, 0);
  clock.advance(10 * SERVICE_MS);
  assert.equal(executed, []);
});

test.run();
