// A station line's lifecycle as data: what happens to the port, given what
// just happened. The shell (src/lines/station-line.ts) runs the effects on a
// real port and real timers; tests run them on a fake clock.
//
//   state     event                effects                                   next
//   stopped   start                open-port                                 opening
//   opening   opened               reset backoff, arm presence, up           open
//   opening   open-failed(why)     arm reopen(backoff)                       waiting
//   open      lost(why)            close-port, arm reopen(backoff), down     waiting
//   waiting   reopen-due           open-port                                 opening
//   any       stop                 close-port, disarm all, down if open      stopped
//   (every other pair: ignored, no effect)
//
// `lost` covers a close from the port, a hangup, and the presence check
// finding the device node gone (serialport can miss a hangup: FACTS.md).
import type { Level } from '../log/logger.js';
import { failed, freshBackoff, levelOf, type Backoff, type BackoffPolicy } from './reconnect.js';

export type LinePhase = 'stopped' | 'opening' | 'open' | 'waiting';

export interface LineMachine {
  readonly phase: LinePhase;
  readonly backoff: Backoff;
}

export type LineEvent =
  | { readonly kind: 'start' }
  | { readonly kind: 'stop' }
  | { readonly kind: 'opened' }
  | { readonly kind: 'open-failed'; readonly why: string }
  | { readonly kind: 'lost'; readonly why: string }
  | { readonly kind: 'reopen-due' };

export type LineTimer = 'reopen' | 'presence';

export type LineEffect =
  | { readonly kind: 'open-port' }
  | { readonly kind: 'close-port' }
  | { readonly kind: 'arm'; readonly timer: LineTimer; readonly ms: number }
  | { readonly kind: 'disarm'; readonly timer: LineTimer }
  | { readonly kind: 'up' }
  | { readonly kind: 'down' }
  /** The one place a state change is announced (logged at `level`, and on the status seam). */
  | { readonly kind: 'phase'; readonly phase: LinePhase; readonly level: Level; readonly why?: string; readonly retryInMs?: number };

/** Lines reopen faster than server links reconnect: a station is next to the box. */
export const LINE_BACKOFF: BackoffPolicy = { firstMs: 200, maxMs: 5_000 };
/** How often an open line checks that its device node still exists. */
export const PRESENCE_CHECK_MS = 500;

export const initialLine: LineMachine = { phase: 'stopped', backoff: freshBackoff(LINE_BACKOFF) };

export function lineStep(m: LineMachine, e: LineEvent): { readonly machine: LineMachine; readonly effects: readonly LineEffect[] } {
  const same = { machine: m, effects: [] };
  switch (e.kind) {
    case 'start':
      return m.phase === 'stopped' ? open(m) : same;
    case 'reopen-due':
      return m.phase === 'waiting' ? open(m) : same;
    case 'opened':
      if (m.phase !== 'opening') return same;
      return {
        machine: { phase: 'open', backoff: freshBackoff(LINE_BACKOFF) },
        effects: [phase(m, 'open'), { kind: 'arm', timer: 'presence', ms: PRESENCE_CHECK_MS }, { kind: 'up' }],
      };
    case 'open-failed':
      return m.phase === 'opening' ? wait(m, e.why, []) : same;
    case 'lost':
      if (m.phase === 'open') return wait(m, e.why, [{ kind: 'disarm', timer: 'presence' }, { kind: 'close-port' }], [{ kind: 'down' }]);
      // A close racing an open that failed: the failure already scheduled the reopen.
      return m.phase === 'opening' ? wait(m, e.why, [{ kind: 'close-port' }]) : same;
    case 'stop': {
      if (m.phase === 'stopped') return same;
      const effects: LineEffect[] = [{ kind: 'disarm', timer: 'reopen' }, { kind: 'disarm', timer: 'presence' }, { kind: 'close-port' }, phase(m, 'stopped', 'stopped')];
      if (m.phase === 'open') effects.push({ kind: 'down' });
      return { machine: { phase: 'stopped', backoff: m.backoff }, effects };
    }
  }
}

function open(m: LineMachine): { machine: LineMachine; effects: LineEffect[] } {
  return { machine: { phase: 'opening', backoff: m.backoff }, effects: [phase(m, 'opening'), { kind: 'open-port' }] };
}

function wait(m: LineMachine, why: string, before: LineEffect[], after: LineEffect[] = []): { machine: LineMachine; effects: LineEffect[] } {
  const { delayMs, backoff } = failed(m.backoff, LINE_BACKOFF);
  const next: LineMachine = { phase: 'waiting', backoff };
  return { machine: next, effects: [...before, phase(m, 'waiting', why, delayMs, backoff.failures), { kind: 'arm', timer: 'reopen', ms: delayMs }, ...after] };
}

function phase(m: LineMachine, next: LinePhase, why?: string, retryInMs?: number, failures = m.backoff.failures): LineEffect {
  const level = levelOf({ attempt: next === 'opening', waiting: next === 'waiting' }, m.phase === 'opening', failures);
  return { kind: 'phase', phase: next, level, ...(why === undefined ? {} : { why }), ...(retryInMs === undefined ? {} : { retryInMs }) };
}
