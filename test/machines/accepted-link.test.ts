// The accepting end's timeouts on a fake clock over an in-memory link: a
// connection that never opens is closed at its handshake deadline (bytes
// that are no `open` do not extend it), nor does an `open` alone: the
// deadline holds until the first sealed message unseals.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HANDSHAKE_TIMEOUT_MS, IDLE_TIMEOUT_MS } from '../../src/links/accepted-link.js';
import { openMessage } from '../../src/secure/handshake.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeMessage } from '../../src/wire/messages.js';
import { settle } from '../support/memory-transport.js';
import { acceptingEnd, ROUTER_KEYS } from '../support/accepting-end.js';

const ROUTER = ROUTER_KEYS;
const accepting = acceptingEnd;

const test = suite('accepted link on a fake clock');

test('no open within the handshake deadline: closed, and stray bytes do not extend it', async () => {
  const { clock, router, events, logs } = accepting();
  for (let t = 0; t < HANDSHAKE_TIMEOUT_MS - 1000; t += 1000) {
    router.write(Buffer.from('x'));
    await settle();
    clock.advance(1000);
  }
  assert.not.ok(events.includes('closed'));
  clock.advance(999);
  assert.not.ok(events.includes('closed'));
  clock.advance(1);
  assert.equal(events, ['closed']);
  assert.ok(logs.some((l) => /link\.closing why="no handshake"/.test(l)));
});

test('opened but never authenticated: closed at the handshake deadline, which traffic does not extend (issue 11 item 1)', async () => {
  const { clock, router, events } = accepting();
  router.write(encodeFrame(encodeMessage(openMessage(ROUTER, Buffer.alloc(8, 3)))));
  await settle();
  assert.equal(events, ['open']);
  clock.advance(HANDSHAKE_TIMEOUT_MS - 1);
  router.write(Buffer.of(0));
  await settle();
  assert.not.ok(events.includes('closed'));
  clock.advance(1);
  assert.equal(events, ['open', 'closed']);
  // The idle timer of an authenticated link: test/admission/handshake-deadline.test.ts.
  assert.ok(IDLE_TIMEOUT_MS > HANDSHAKE_TIMEOUT_MS);
});

test.run();
