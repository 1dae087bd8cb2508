// SecureSession: the Channel of a protected link (PROTOCOL.md 3): sequence
// numbers, replay window, drop counting and the 3-in-a-row close rule.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Channel, UnsealResult } from '../../src/secure/channel.js';
import { deriveContext, linkIdContext } from '../../src/secure/context.js';
import { openMessage } from '../../src/secure/seal.js';
import { DROPS_BEFORE_CLOSE, SecureSession, SequenceExhaustedError } from '../../src/secure/session.js';
import { hex, toHex } from './helpers.js';

const idContext = linkIdContext(hex('1111111111111111'), hex('2222222222222222'));
const base = { masterSecret: hex('0102030405060708090a0b0c0d0e0f10'), idContext };
const routerCtx = deriveContext({ ...base, senderId: hex('01'), recipientId: hex('02') });
const serverCtx = deriveContext({ ...base, senderId: hex('02'), recipientId: hex('01') });
const MSG = (n: number): Buffer => Buffer.from([0xa2, 0x61, 0x74, 0x64, 0x70, 0x69, 0x6e, 0x67, 0x61, 0x6e, n]); // {"t":"ping","n":n}, n < 24

const session = suite('session');
/** The plaintext as hex, or the drop reason. */
const show = (r: UnsealResult): string => (r.ok ? toHex(r.plaintext) : `dropped:${r.reason}`);
const dropped = (r: UnsealResult): boolean => !r.ok;

session('is a Channel: seal on one side, unseal on the other, in order', () => {
  const router: Channel = new SecureSession(routerCtx);
  const server: Channel = new SecureSession(serverCtx);
  for (let n = 0; n < 10; n++) {
    assert.is(show(router.unseal(server.seal(MSG(n)))), toHex(MSG(n)));
    assert.is(show(server.unseal(router.seal(MSG(n + 10)))), toHex(MSG(n + 10)));
  }
});

session('sequence numbers start at 0 and go up by one; the peer tracks them', () => {
  const server = new SecureSession(serverCtx);
  const router = new SecureSession(routerCtx);
  assert.is(server.nextSequence, 0);
  assert.is(router.lastAcceptedPiv, -1);
  const first = server.seal(MSG(1));
  assert.is(toHex(first.subarray(6, 10)), '02064100'); // kid h'02' then piv h'00'
  assert.is(server.nextSequence, 1);
  router.unseal(first);
  assert.is(router.lastAcceptedPiv, 0);
  router.unseal(server.seal(MSG(2)));
  assert.is(router.lastAcceptedPiv, 1);
  assert.is(server.nextSequence, 2);
});

session('a replayed body is dropped and counted', () => {
  const server = new SecureSession(serverCtx);
  const router = new SecureSession(routerCtx);
  const body = server.seal(MSG(1));
  assert.is(show(router.unseal(body)), toHex(MSG(1)));
  assert.equal(router.unseal(body), { ok: false, reason: 'replay', mustClose: false, inARow: 1 });
  assert.is(router.drops.get('replay'), 1);
  assert.is(router.consecutiveDrops, 1);
});

session('reordered bodies: the later one wins, the earlier is a replay', () => {
  const server = new SecureSession(serverCtx);
  const router = new SecureSession(routerCtx);
  const a = server.seal(MSG(1));
  const b = server.seal(MSG(2));
  assert.not.ok(dropped(router.unseal(b)));
  assert.is(show(router.unseal(a)), 'dropped:replay');
  assert.is(router.drops.get('replay'), 1);
});

session(`${DROPS_BEFORE_CLOSE} drops in a row: mustClose; each reason counted`, () => {
  assert.is(DROPS_BEFORE_CLOSE, 3);
  const server = new SecureSession(serverCtx);
  const router = new SecureSession(routerCtx);
  const good = server.seal(MSG(1));
  const tampered = Buffer.from(server.seal(MSG(2)));
  tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0x80;
  assert.equal(router.unseal(hex('a0')), { ok: false, reason: 'not-cose', mustClose: false, inARow: 1 });
  assert.not.ok(router.mustClose);
  assert.equal(router.unseal(tampered), { ok: false, reason: 'decrypt', mustClose: false, inARow: 2 });
  assert.not.ok(router.mustClose);
  // our own message reflected: wrong-kid, and the third in a row says the link must close
  assert.equal(router.unseal(router.seal(MSG(3))), { ok: false, reason: 'wrong-kid', mustClose: true, inARow: 3 });
  assert.ok(router.mustClose);
  assert.is(router.consecutiveDrops, 3);
  assert.equal([...router.drops.entries()].sort(), [['decrypt', 1], ['not-cose', 1], ['wrong-kid', 1]]);
  // the session still opens good messages; closing is the link's decision
  assert.is(show(router.unseal(good)), toHex(MSG(1)));
});

session('a good message resets the run of drops, not the totals', () => {
  const server = new SecureSession(serverCtx);
  const router = new SecureSession(routerCtx);
  router.unseal(hex('00'));
  router.unseal(hex('00'));
  assert.is(router.consecutiveDrops, 2);
  assert.not.ok(dropped(router.unseal(server.seal(MSG(1)))));
  assert.is(router.consecutiveDrops, 0);
  assert.not.ok(router.mustClose);
  router.unseal(hex('00'));
  router.unseal(hex('00'));
  assert.is(router.consecutiveDrops, 2);
  assert.not.ok(router.mustClose);
  assert.is(router.drops.get('not-cose'), 4);
});

session('a failed decryption does not move the replay window', () => {
  const server = new SecureSession(serverCtx);
  const router = new SecureSession(routerCtx);
  server.seal(MSG(0)); // piv 0 lost
  const body = server.seal(MSG(1)); // piv 1
  const forged = Buffer.from(body);
  forged[forged.length - 1] = forged[forged.length - 1]! ^ 1;
  assert.is(show(router.unseal(forged)), 'dropped:decrypt');
  assert.is(router.lastAcceptedPiv, -1);
  assert.is(show(router.unseal(body)), toHex(MSG(1)));
  assert.is(router.lastAcceptedPiv, 1);
});

session('the last sequence number 2^40 - 1 is usable, then seal refuses', () => {
  const server = new SecureSession(serverCtx, { initialSequence: 2 ** 40 - 1 });
  assert.not.ok(server.exhausted);
  const last = server.seal(MSG(1));
  assert.is(toHex(last.subarray(6, 14)), '020645ffffffffff');
  const opened = openMessage(routerCtx, last, 2 ** 40 - 2);
  assert.ok(opened.ok && opened.piv === 2 ** 40 - 1);
  assert.ok(server.exhausted);
  assert.throws(() => server.seal(MSG(2)), (e: unknown) => e instanceof SequenceExhaustedError);
  assert.is(server.nextSequence, 2 ** 40);
  // after the last number nothing more can be accepted from that context either
  const router = new SecureSession(routerCtx);
  assert.is(show(router.unseal(last)), toHex(MSG(1)));
  assert.is(router.lastAcceptedPiv, 2 ** 40 - 1);
});

session('nearlyExhausted within the margin', () => {
  assert.not.ok(new SecureSession(serverCtx).nearlyExhausted);
  assert.not.ok(new SecureSession(serverCtx, { exhaustionMargin: 10, initialSequence: 2 ** 40 - 11 }).nearlyExhausted);
  const s = new SecureSession(serverCtx, { exhaustionMargin: 10, initialSequence: 2 ** 40 - 10 });
  assert.ok(s.nearlyExhausted);
  assert.not.ok(s.exhausted);
  assert.is(s.sequenceState, 'nearly-exhausted');
  assert.is(new SecureSession(serverCtx).sequenceState, 'fresh');
  assert.is(new SecureSession(serverCtx, { initialSequence: 2 ** 40 }).sequenceState, 'exhausted');
  assert.ok(new SecureSession(serverCtx, { initialSequence: 2 ** 40 - 2 ** 24 }).nearlyExhausted); // default margin 2^24
  assert.not.ok(new SecureSession(serverCtx, { initialSequence: 2 ** 40 - 2 ** 24 - 1 }).nearlyExhausted);
});

session('a refused plaintext costs no sequence number', () => {
  const server = new SecureSession(serverCtx);
  assert.throws(() => server.seal(Buffer.alloc(70000)), RangeError);
  assert.is(server.nextSequence, 0);
});

session('initialSequence outside 0..2^40 is refused', () => {
  assert.throws(() => new SecureSession(serverCtx, { initialSequence: -1 }), RangeError);
  assert.throws(() => new SecureSession(serverCtx, { initialSequence: 2 ** 40 + 1 }), RangeError);
  assert.throws(() => new SecureSession(serverCtx, { initialSequence: 0.5 }), RangeError);
});

session.run();
