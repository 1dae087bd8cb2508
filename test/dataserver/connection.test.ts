// One router's connection to the data server, in the middle tier: an
// in-memory byte pair instead of a socket, a fake clock for the service
// time, and a router end that speaks real frames. What it shows: `ready`
// with the slots of the moment, never more held than announced (beyond them
// `overloaded` at once, PROTOCOL.md 6 reading 10), first come first served,
// no op run past its ttl from arrival, and work in service cancelled when the
// link closes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Duplex } from 'node:stream';
import { Connection, type ConnectionContext } from '../../src/dataserver/connection.js';
import type { OpResult } from '../../src/dataserver/ops/op.js';
import type { Work } from '../../src/links/accepted-link.js';
import { silentLogger } from '../../src/log/logger.js';
import { decodeCbor, encodeCbor } from '../../src/wire/cbor.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { FrameReader } from '../../src/wire/frame-reader.js';
import { encodeMessage, type ServerToRouter } from '../../src/wire/messages.js';
import { parseServerMessage } from '../../src/wire/parse.js';
import { FakeScheduler } from '../support/fake-scheduler.js';
import { memoryPair, settle } from '../support/memory-transport.js';

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
  const state = { slots, started: 0 };
  const context: ConnectionContext = {
    maxBody: 4096,
    security: { kind: 'insecure' },
    scheduler: clock,
    log: silentLogger,
    announcedSlots: () => state.slots,
    opNames: () => ['echo'],
    serviceMs: () => {
      state.started++;
      return SERVICE_MS;
    },
    execute: async (work: Work): Promise<OpResult> => {
      executed.push(decodeCbor(work.body!) as number);
      return { ok: true, body: work.body! };
    },
  };
  const [serverEnd, routerStream] = memoryPair();
  let closed = false;
  const conn = new Connection(context, serverEnd, 'tcp', () => (closed = true));
  const router = new RouterEnd(routerStream);
  return { clock, executed, state, conn, router, isClosed: () => closed };
}

test('ready announces the slots and ops of the moment; again when they change', async () => {
  const { conn, router, state } = connection(2);
  await settle();
  assert.equal(router.received, [{ t: 'ready', slots: 2, ops: ['echo'] }]);
  state.slots = 0;
  conn.announce();
  await settle();
  assert.equal(router.readies(), [2, 0]);
  conn.close();
});

test('never more held than the slots announced: beyond them, overloaded at once; what is held runs in arrival order', async () => {
  const { clock, executed, state, conn, router } = connection(2);
  for (let id = 1; id <= 5; id++) router.request(id);
  await settle();
  assert.is(state.started, 2, 'two slots: two at work');
  assert.equal(router.answers(), [3, 4, 5].map((id) => ({ id, ok: false, code: 'overloaded' })), 'the rest refused at once, never held');
  clock.advance(SERVICE_MS);
  await settle();
  assert.equal(executed, [1, 2]);
  router.request(6);
  await settle();
  clock.advance(SERVICE_MS);
  await settle();
  assert.equal(executed, [1, 2, 6], 'a slot freed: the next request is taken');
  conn.close();
});

test('at 0 slots every request is refused overloaded; slots announced again take work', async () => {
  const { clock, executed, state, conn, router } = connection(0);
  router.request(1);
  await settle();
  assert.equal(router.answers(), [{ id: 1, ok: false, code: 'overloaded' }]);
  state.slots = 1;
  conn.announce();
  router.request(2);
  await settle();
  clock.advance(SERVICE_MS);
  await settle();
  assert.equal(executed, [2]);
  conn.close();
});

test('a server frozen past a request\'s ttl: it is answered timeout when its service time ends, and its op never runs', async () => {
  const { clock, executed, conn, router } = connection(2);
  router.stream.write(encodeFrame(encodeMessage({ t: 'req', id: 1, op: 'echo', station: 'box-1/l1', ttl: 100, body: encodeCbor(1) })));
  router.request(2); // ttl 5000
  await settle();
  clock.stall(500); // the process was stopped: the service timers fire late
  clock.advance(SERVICE_MS);
  await settle();
  assert.equal(executed, [2]);
  assert.equal(router.answers(), [{ id: 1, ok: false, code: 'timeout' }, { id: 2, ok: true }]);
  conn.close();
});

test('the link closes: work in service never runs, and the owner hears of it', async () => {
  const { clock, executed, state, router, isClosed } = connection(2);
  router.request(1);
  await settle();
  assert.is(state.started, 1);
  router.stream.destroy();
  await settle();
  assert.ok(isClosed());
  clock.advance(10 * SERVICE_MS);
  await settle();
  assert.equal(executed, []);
});

test.run();
