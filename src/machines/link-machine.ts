// A server link's lifecycle (the router's end of a link to a data server or
// a peer router) as data. The shell (src/links/server-link.ts) runs the
// effects on a real transport and the injected scheduler; tests run them on a
// fake clock. PROTOCOL.md 2.2 rule 2 (pings, backoff) and 3 (handshake).
//
//   state        event                  effects                                        next
//   stopped      start                  connect                                        connecting
//   connecting   transport-open         sealed: send-open, arm handshake               handshaking
//                                       plaintext: as handshake-ok                     open
//   connecting   transport-failed(why)  arm reconnect(backoff)                         waiting
//   handshaking  handshake-ok           arm ready, arm ping, connected                 open (not ready)
//                                       (plaintext: send a ping at once)
//   handshaking  handshake-refused /    close, arm reconnect(backoff)                  waiting
//                timeout(handshake)
//   open         ready (the first)      backoff reset, disarm ready, sealed: ping now  open (ready)
//   open         ping-due               send ping, arm ping; 3 unanswered: as lost     open
//   open         pong                   liveness reset                                 open
//   open         timeout(ready)         as lost                                        waiting
//   open         rehandshake-now        close, down, connect at once                   connecting
//   handshaking, open  lost(why)        close, disarm, arm reconnect; down if open     waiting
//   waiting      reconnect-due          connect                                        connecting
//   any          stop                   close, disarm all, down if open                stopped
//   (every other pair: ignored)
import type { Level } from '../log/logger.js';
import { freshLiveness, pingDue, pong, type Liveness } from './liveness.js';
import { failed, freshBackoff, levelOf, type Backoff, type BackoffPolicy } from './reconnect.js';

export type LinkPhase = 'stopped' | 'connecting' | 'handshaking' | 'open' | 'waiting';

export interface LinkMachine {
  readonly phase: LinkPhase;
  /** Open and the server said `ready` since. */
  readonly ready: boolean;
  readonly backoff: Backoff;
  readonly liveness: Liveness;
}

export interface LinkSettings {
  readonly sealed: boolean;
  readonly pingIntervalMs: number;
}

export type LinkTimer = 'reconnect' | 'handshake' | 'ready' | 'ping';

export type LinkEvent =
  | { readonly kind: 'start' }
  | { readonly kind: 'stop' }
  | { readonly kind: 'transport-open' }
  | { readonly kind: 'transport-failed'; readonly why: string }
  | { readonly kind: 'handshake-ok' }
  | { readonly kind: 'handshake-refused'; readonly why: string }
  | { readonly kind: 'ready' }
  | { readonly kind: 'pong' }
  | { readonly kind: 'timer'; readonly timer: LinkTimer }
  | { readonly kind: 'lost'; readonly why: string }
  | { readonly kind: 'rehandshake-now' };

export type LinkEffect =
  | { readonly kind: 'connect' }
  | { readonly kind: 'close' }
  | { readonly kind: 'send-open' }
  | { readonly kind: 'send-ping'; readonly n: number }
  | { readonly kind: 'arm'; readonly timer: LinkTimer; readonly ms: number }
  | { readonly kind: 'disarm'; readonly timer: LinkTimer }
  | { readonly kind: 'connected' }
  | { readonly kind: 'down'; readonly why: string }
  | { readonly kind: 'phase'; readonly phase: LinkPhase; readonly level: Level; readonly why?: string; readonly retryInMs?: number };

/** PROTOCOL.md 2.2 rule 2: 250 ms, doubling, at most 10 s. */
export const LINK_BACKOFF: BackoffPolicy = { firstMs: 250, maxMs: 10_000 };
/** A server that does not answer `open`, or send `ready`, within this many ping intervals is down. */
export const HANDSHAKE_PINGS = 3;
export const READY_PINGS = 5;

export const initialLink: LinkMachine = { phase: 'stopped', ready: false, backoff: freshBackoff(LINK_BACKOFF), liveness: freshLiveness };

type Step = { readonly machine: LinkMachine; readonly effects: readonly LinkEffect[] };

export function linkStep(m: LinkMachine, e: LinkEvent, s: LinkSettings): Step {
  const same: Step = { machine: m, effects: [] };
  switch (e.kind) {
    case 'start':
      return m.phase === 'stopped' ? connect(m) : same;
    case 'timer':
      return timer(m, e.timer, s);
    case 'transport-open':
      if (m.phase !== 'connecting') return same;
      if (!s.sealed) return opened(m, s);
      return {
        machine: { ...m, phase: 'handshaking' },
        effects: [phase(m, 'handshaking'), { kind: 'send-open' }, { kind: 'arm', timer: 'handshake', ms: HANDSHAKE_PINGS * s.pingIntervalMs }],
      };
    case 'transport-failed':
      return m.phase === 'connecting' ? wait(m, e.why, []) : same;
    case 'handshake-ok':
      return m.phase === 'handshaking' ? opened(m, s) : same;
    case 'handshake-refused':
      return m.phase === 'handshaking' ? lost(m, e.why) : same;
    case 'ready':
      if (m.phase !== 'open' || m.ready) return same;
      return {
        machine: { ...m, ready: true, backoff: freshBackoff(LINK_BACKOFF) },
        // Sealed: a ping at once proves this router holds the key (a peer port registers a peer only then).
        effects: [{ kind: 'disarm', timer: 'ready' }, ...(s.sealed ? ping(m, s).effects : [])],
      };
    case 'pong':
      return m.phase === 'open' ? { machine: { ...m, liveness: pong(m.liveness) }, effects: [] } : same;
    case 'lost':
      return m.phase === 'open' || m.phase === 'handshaking' || m.phase === 'connecting' ? lost(m, e.why) : same;
    case 'rehandshake-now':
      if (m.phase !== 'open') return same;
      return { machine: { ...m, phase: 'connecting', ready: false }, effects: [...teardown(), { kind: 'down', why: 're-handshake' }, phase(m, 'connecting', 're-handshake'), { kind: 'connect' }] };
    case 'stop': {
      if (m.phase === 'stopped') return same;
      const effects: LinkEffect[] = [...teardown(), { kind: 'disarm', timer: 'reconnect' }, phase(m, 'stopped', 'stopped')];
      if (m.phase === 'open') effects.push({ kind: 'down', why: 'stopped' });
      return { machine: { ...m, phase: 'stopped', ready: false }, effects };
    }
  }
}

function timer(m: LinkMachine, t: LinkTimer, s: LinkSettings): Step {
  switch (t) {
    case 'reconnect':
      return m.phase === 'waiting' ? connect(m) : { machine: m, effects: [] };
    case 'handshake':
      return m.phase === 'handshaking' ? lost(m, `no 'opened' within ${HANDSHAKE_PINGS * s.pingIntervalMs} ms`) : { machine: m, effects: [] };
    case 'ready':
      return m.phase === 'open' && !m.ready ? lost(m, `no 'ready' within ${READY_PINGS * s.pingIntervalMs} ms`) : { machine: m, effects: [] };
    case 'ping':
      return m.phase === 'open' ? ping(m, s) : { machine: m, effects: [] };
  }
}

function connect(m: LinkMachine): Step {
  return { machine: { ...m, phase: 'connecting', ready: false }, effects: [phase(m, 'connecting'), { kind: 'connect' }] };
}

function opened(m: LinkMachine, s: LinkSettings): Step {
  const next: LinkMachine = { ...m, phase: 'open', ready: false, liveness: freshLiveness };
  const effects: LinkEffect[] = [
    { kind: 'disarm', timer: 'handshake' },
    phase(m, 'open'),
    { kind: 'arm', timer: 'ready', ms: READY_PINGS * s.pingIntervalMs },
    { kind: 'connected' },
  ];
  // Plaintext: an early ping lets a server on a serial line (no connect event) know a router is there.
  // Sealed: the server's `ready` must be the first sealed message (PROTOCOL.md 3); the first ping follows it.
  if (s.sealed) return { machine: next, effects: [...effects, { kind: 'arm', timer: 'ping', ms: s.pingIntervalMs }] };
  const first = ping(next, s);
  return { machine: first.machine, effects: [...effects, ...first.effects] };
}

function ping(m: LinkMachine, s: LinkSettings): Step {
  const due = pingDue(m.liveness);
  if (due.kind === 'dead') return lost(m, due.why);
  return { machine: { ...m, liveness: due.next }, effects: [{ kind: 'send-ping', n: due.n }, { kind: 'arm', timer: 'ping', ms: s.pingIntervalMs }] };
}

function lost(m: LinkMachine, why: string): Step {
  const wasOpen = m.phase === 'open';
  const waited = wait(m, why, teardown());
  return wasOpen ? { machine: waited.machine, effects: [...waited.effects, { kind: 'down', why }] } : waited;
}

function wait(m: LinkMachine, why: string, before: readonly LinkEffect[]): Step {
  const { delayMs, backoff } = failed(m.backoff, LINK_BACKOFF);
  const next: LinkMachine = { ...m, phase: 'waiting', ready: false, backoff };
  return { machine: next, effects: [...before, phase(m, 'waiting', why, delayMs, backoff.failures), { kind: 'arm', timer: 'reconnect', ms: delayMs }] };
}

function teardown(): LinkEffect[] {
  return [{ kind: 'disarm', timer: 'ping' }, { kind: 'disarm', timer: 'handshake' }, { kind: 'disarm', timer: 'ready' }, { kind: 'close' }];
}

function phase(m: LinkMachine, next: LinkPhase, why?: string, retryInMs?: number, failures = m.backoff.failures): LinkEffect {
  const level = levelOf({ attempt: next === 'connecting' || next === 'handshaking', waiting: next === 'waiting' }, m.phase === 'connecting', failures);
  return { kind: 'phase', phase: next, level, ...(why === undefined ? {} : { why }), ...(retryInMs === undefined ? {} : { retryInMs }) };
}
