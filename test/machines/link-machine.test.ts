// The server link's lifecycle: as plain values through linkStep, then the
// real shells (ServerLink against AcceptedLink, or against a far end that
// stays silent) on a fake clock over in-memory links. Handshake and ready
// timeouts, ping misses and backoff take no real time.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Duplex } from 'node:stream';
import { HANDSHAKE_PINGS, initialLink, linkStep, READY_PINGS, type LinkEvent, type LinkMachine, type LinkSettings } from '../../src/machines/link-machine.js';
import { ServerLink } from '../../src/links/server-link.js';
import { AcceptedLink } from '../../src/links/accepted-link.js';
import type { ServerConfig } from '../../src/config/types.js';
import type { LinkKeys } from '../../src/keys/link-key-file.js';
import { createLogger } from '../../src/log/logger.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeMessage } from '../../src/wire/messages.js';
import { FakeScheduler } from '../support/fake-scheduler.js';
import { memoryPair, settle } from '../support/memory-transport.js';
import { LinkCore } from '../../src/links/link-core.js';
import { plainChannel } from '../../src/secure/channel.js';
import { parseRouterToServer } from '../../src/wire/parse.js';

const PING_MS = 100;
const plain: LinkSettings = { sealed: false, pingIntervalMs: PING_MS };
const sealed: LinkSettings = { sealed: true, pingIntervalMs: PING_MS };

function drive(events: LinkEvent[], s: LinkSettings, from: LinkMachine = initialLink) {
  let m = from;
  const kinds: string[] = [];
  for (const e of events) {
    const step = linkStep(m, e, s);
    m = step.machine;
    kinds.push(
      ...step.effects.map((x) =>
        x.kind === 'phase' ? `phase:${x.phase}` : x.kind === 'arm' ? `arm:${x.timer}:${x.ms}` : x.kind === 'disarm' ? `disarm:${x.timer}` : x.kind === 'send-ping' ? `ping:${x.n}` : x.kind === 'down' ? `down:${x.why}` : x.kind,
      ),
    );
  }
  return { m, kinds };
}

const pure = suite('link machine: transitions');

pure('plaintext: connected at once, pinging at once, ready timeout armed', () => {
  const { m, kinds } = drive([{ kind: 'start' }, { kind: 'transport-open' }], plain);
  assert.is(m.phase, 'open');
  assert.equal(kinds, ['phase:connecting', 'connect', 'disarm:handshake', 'phase:open', `arm:ready:${READY_PINGS * PING_MS}`, 'connected', 'ping:1', `arm:ping:${PING_MS}`]);
});

pure('sealed: open sent and a handshake timeout armed; first ping only after ready', () => {
  const { m, kinds } = drive([{ kind: 'start' }, { kind: 'transport-open' }, { kind: 'handshake-ok' }, { kind: 'ready' }], sealed);
  assert.is(m.phase, 'open');
  assert.ok(m.ready);
  assert.equal(kinds, [
    'phase:connecting',
    'connect',
    'phase:handshaking',
    'send-open',
    `arm:handshake:${HANDSHAKE_PINGS * PING_MS}`,
    'disarm:handshake',
    'phase:open',
    `arm:ready:${READY_PINGS * PING_MS}`,
    'connected',
    `arm:ping:${PING_MS}`,
    'disarm:ready',
    'ping:1',
    `arm:ping:${PING_MS}`,
  ]);
});

pure('three unanswered pings: down on the fourth interval; a pong resets the count', () => {
  const up = drive([{ kind: 'start' }, { kind: 'transport-open' }, { kind: 'ready' }], plain).m;
  const tick: LinkEvent = { kind: 'timer', timer: 'ping' };
  const kept = drive([tick, tick, { kind: 'pong' }, tick, tick, tick], plain, up);
  assert.is(kept.m.phase, 'open', 'a pong in between keeps it');
  const { m, kinds } = drive([tick, tick, tick], plain, up); // pings 2, 3 unanswered with 1: the third interval finds 3 missed
  assert.is(m.phase, 'waiting');
  assert.ok(kinds.includes('down:no answer to 3 pings'), kinds.join(' '));
});

pure('reconnect backoff doubles from 250 ms to 10 s and resets only on ready', () => {
  const events: LinkEvent[] = [{ kind: 'start' }];
  for (let i = 0; i < 7; i++) events.push({ kind: 'transport-failed', why: 'refused' }, { kind: 'timer', timer: 'reconnect' });
  const failing = drive(events, plain);
  assert.equal(failing.kinds.filter((k) => k.startsWith('arm:reconnect')), [250, 500, 1000, 2000, 4000, 8000, 10000].map((ms) => `arm:reconnect:${ms}`));
  const noReady = drive([{ kind: 'transport-open' }, { kind: 'lost', why: 'closed' }], plain, failing.m);
  assert.ok(noReady.kinds.includes('arm:reconnect:10000'), 'a server that accepts and drops before ready is not hammered');
  const ready = drive([{ kind: 'timer', timer: 'reconnect' }, { kind: 'transport-open' }, { kind: 'ready' }, { kind: 'lost', why: 'closed' }], plain, noReady.m);
  assert.ok(ready.kinds.includes('arm:reconnect:250'), ready.kinds.join(' '));
});

pure('re-handshake now: down, then connect at once (no backoff)', () => {
  const up = drive([{ kind: 'start' }, { kind: 'transport-open' }, { kind: 'handshake-ok' }, { kind: 'ready' }], sealed).m;
  const { m, kinds } = drive([{ kind: 'rehandshake-now' }], sealed, up);
  assert.is(m.phase, 'connecting');
  assert.equal(kinds.slice(-3), ['down:re-handshake', 'phase:connecting', 'connect']);
});

// ---- the shells on a fake clock -------------------------------------------

const KEYS_ROUTER: LinkKeys = { masterSecret: Buffer.alloc(16, 9), masterSalt: Buffer.alloc(8, 3), senderId: Buffer.of(1), recipientId: Buffer.of(2) };
const KEYS_SERVER: LinkKeys = { masterSecret: Buffer.alloc(16, 9), masterSalt: Buffer.alloc(8, 3), senderId: Buffer.of(2), recipientId: Buffer.of(1) };

const serverConfig = (isSealed: boolean): ServerConfig => ({
  name: 'ds1',
  address: { kind: 'tcp', host: '127.0.0.1', port: 1 },
  slots: 2,
  maxBody: 4096,
  security: isSealed ? { kind: 'sealed', keyFile: '/keys/ds1.key', keys: KEYS_ROUTER, rehandshake: '0 3 * * *' } : { kind: 'insecure' },
});

type FarEnd = 'accepting' | 'silent' | 'no-pong' | 'pong-only';

function linkOnFakes(isSealed: boolean, far: FarEnd) {
  const clock = new FakeScheduler();
  const seen: string[] = [];
  const logs: string[] = [];
  const farEnds: Duplex[] = [];
  let connects = 0;
  const connector = async (): Promise<Duplex> => {
    connects++;
    const [near, other] = memoryPair();
    farEnds.push(other);
    if (far === 'accepting') {
      const security = isSealed ? { kind: 'sealed' as const, candidates: [{ keys: KEYS_SERVER }] } : { kind: 'insecure' as const };
      const accepting: AcceptedLink = new AcceptedLink(
        other,
        'tcp',
        4096,
        security,
        { open: () => accepting.send({ t: 'ready', slots: 2, ops: ['echo'] }), authenticated: () => {}, request: () => {}, closed: () => {} },
        createLogger({ write: () => {} }),
        clock,
      );
    }
    if (far === 'pong-only') {
      // Answers every ping, never says ready.
      const core = new LinkCore(4096, parseRouterToServer);
      core.use(plainChannel);
      other.on('data', (chunk: Buffer) => {
        for (const input of core.push(chunk)) if (input.kind === 'message' && input.msg.t === 'ping') other.write(core.encode({ t: 'pong', n: input.msg.n })!);
      });
    }
    if (far === 'no-pong') setImmediate(() => other.write(encodeFrame(encodeMessage({ t: 'ready', slots: 2, ops: ['echo'] }))));
    return near;
  };
  const link = new ServerLink(
    serverConfig(isSealed),
    PING_MS,
    {
      connected: () => seen.push('connected'),
      message: (m) => seen.push(m.t),
      down: (why) => seen.push(`down:${why}`),
      rehandshakeDue: () => seen.push('rehandshake-due'),
      phase: (p) => seen.push(p),
      handshake: () => seen.push('handshake'),
      dropped: (r) => seen.push(`drop:${r}`),
    },
    createLogger({ level: 'debug', write: (l) => logs.push(l) }),
    clock,
    connector,
  );
  return { clock, seen, logs, link, connects: () => connects, farEnds };
}

const shell = suite('server link on a fake clock');

shell('a far end that never answers open: the handshake times out after 3 ping intervals, then backoff', async () => {
  const { clock, link, seen, connects } = linkOnFakes(true, 'silent');
  link.start();
  await settle();
  assert.is(link.state, 'handshaking');
  clock.advance(HANDSHAKE_PINGS * PING_MS - 1);
  assert.is(link.state, 'handshaking');
  clock.advance(1);
  assert.is(link.state, 'waiting');
  assert.not.ok(seen.includes('connected'));
  clock.advance(250);
  await settle();
  assert.is(connects(), 2, 'reconnected after 250 ms');
  link.stop();
  assert.is(clock.armed, 0, 'stop leaves no timer');
});

shell('sealed against the real accepting end: handshake, ready, pings answered for as long as it runs', async () => {
  const { clock, link, seen } = linkOnFakes(true, 'accepting');
  link.start();
  await settle();
  assert.is(link.state, 'open');
  assert.equal(seen.filter((s) => ['handshake', 'connected', 'ready'].includes(s)), ['handshake', 'connected', 'ready']);
  for (let i = 0; i < 20; i++) {
    clock.advance(PING_MS);
    await settle();
  }
  assert.is(link.state, 'open', 'pongs keep it up');
  assert.not.ok(seen.some((s) => s.startsWith('down')));
  link.stop();
});

shell('a server that sends ready but never pongs is down after 3 missed pings', async () => {
  const { clock, link, seen } = linkOnFakes(false, 'no-pong');
  link.start();
  await settle();
  assert.ok(seen.includes('ready'));
  for (let i = 0; i < 3; i++) clock.advance(PING_MS);
  assert.is(link.state, 'waiting');
  assert.ok(seen.includes('down:no answer to 3 pings'), seen.join(' '));
  link.stop();
});

shell('a plaintext server that answers pings but never says ready is down after 5 ping intervals', async () => {
  const { clock, link, seen } = linkOnFakes(false, 'pong-only');
  link.start();
  await settle();
  assert.is(link.state, 'open');
  for (let t = 0; t < READY_PINGS * PING_MS - 1; t += 1) {
    clock.advance(1);
    if (t % 10 === 0) await settle();
  }
  assert.is(link.state, 'open', 'pongs keep it alive until the ready timeout');
  clock.advance(1);
  assert.is(link.state, 'waiting');
  assert.ok(seen.includes(`down:no 'ready' within ${READY_PINGS * PING_MS} ms`), seen.join(' '));
  link.stop();
});

shell('three tampered frames in a row close a sealed link (PROTOCOL.md 3)', async () => {
  const { link, seen, farEnds } = linkOnFakes(true, 'accepting');
  link.start();
  await settle();
  assert.is(link.state, 'open');
  // A sealed-looking frame the router cannot open: the server's kid, garbage ciphertext.
  const forged = encodeFrame(Buffer.from('d08343a1010aa2044102064100' + '58' + '10' + '00'.repeat(16), 'hex'));
  for (let i = 0; i < 3; i++) farEnds[0]!.write(forged);
  await settle();
  assert.is(link.state, 'waiting');
  assert.ok(seen.some((s) => s.startsWith('drop:')), seen.join(' '));
  assert.ok(seen.includes('down:3 sealed messages dropped in a row'), seen.join(' '));
  link.stop();
});

pure.run();
shell.run();
