// Issue 11 item 1 at the accepting end, on a fake clock over an in-memory
// link: the handshake deadline runs from the connection to the first message
// that unseals, so a client that sends a valid-looking `open` (its kid travels
// in plaintext) and then a byte a second is still closed at the deadline; a
// malformed `open` closes at once; a router that proves its key gets the idle
// timer, which its traffic keeps.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HANDSHAKE_TIMEOUT_MS, IDLE_TIMEOUT_MS } from '../../src/links/accepted-link.js';
import { finishAsRouter, openMessage } from '../../src/secure/handshake.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeMessage } from '../../src/wire/messages.js';
import { encodeCbor } from '../../src/wire/cbor.js';
import { parseHandshake } from '../../src/wire/parse.js';
import { settle } from '../support/memory-transport.js';
import { acceptingEnd, ROUTER_KEYS } from '../support/accepting-end.js';

const ROUTER = ROUTER_KEYS;
const accepting = acceptingEnd;

const rawOpen = (fields: Record<string, unknown>): Buffer => encodeFrame(encodeCbor({ t: 'open', v: 1, kid: Buffer.of(1), r: Buffer.alloc(8, 3), ...fields }));

test('a valid open then a byte a second: closed at the handshake deadline all the same', async () => {
  const { clock, router, events, logs } = accepting();
  router.write(encodeFrame(encodeMessage(openMessage(ROUTER, Buffer.alloc(8, 3)))));
  await settle();
  assert.equal(events, ['open']);
  for (let t = 0; t < HANDSHAKE_TIMEOUT_MS - 1000; t += 1000) {
    clock.advance(1000);
    router.write(Buffer.of(0x41));
    await settle();
  }
  assert.not.ok(events.includes('closed'));
  clock.advance(1000);
  assert.equal(events, ['open', 'closed']);
  assert.ok(logs.some((l) => /link\.closing why="no handshake"/.test(l)), logs.join('\n'));
});

test('malformed opens close the connection at once, saying why', async () => {
  const malformed: Record<string, Buffer> = {
    'an 8-byte kid': rawOpen({ kid: Buffer.alloc(8, 1) }),
    'r of 7 bytes': rawOpen({ r: Buffer.alloc(7) }),
    'r of 9 bytes': rawOpen({ r: Buffer.alloc(9) }),
    'r as text': rawOpen({ r: 'abcdefgh' }),
    'v 2': rawOpen({ v: 2 }),
    'a bad frame': Buffer.from('not a frame at all\u0000'),
  };
  for (const [name, bytes] of Object.entries(malformed)) {
    const { router, events, logs } = accepting();
    router.write(bytes);
    await settle();
    assert.equal(events, ['closed'], name);
    assert.ok(logs.some((l) => /link\.closing why=/.test(l)), `${name}: ${logs.join('\n')}`);
  }
});

test('a router that proves its key gets the idle timer, which its traffic keeps', async () => {
  const { clock, router, events, frames } = accepting();
  const r1 = Buffer.alloc(8, 3);
  router.write(encodeFrame(encodeMessage(openMessage(ROUTER, r1))));
  await settle();
  const opened = parseHandshake(frames[0]!);
  assert.ok(opened.ok);
  const done = finishAsRouter(ROUTER, r1, (opened as { ok: true; msg: Parameters<typeof finishAsRouter>[2] }).msg);
  assert.ok(done.ok);
  const session = (done as { ok: true; session: { seal(p: Uint8Array): Uint8Array } }).session;
  const ping = (n: number) => router.write(encodeFrame(session.seal(encodeMessage({ t: 'ping', n }))));
  clock.advance(HANDSHAKE_TIMEOUT_MS - 1);
  ping(1);
  await settle();
  assert.equal(events, ['open', 'authenticated']);
  clock.advance(IDLE_TIMEOUT_MS - 1);
  ping(2);
  await settle();
  clock.advance(IDLE_TIMEOUT_MS - 1);
  assert.not.ok(events.includes('closed'), 'traffic re-armed the idle timer; the handshake deadline is gone');
  clock.advance(1);
  assert.equal(events, ['open', 'authenticated', 'closed']);
});

test.run();
