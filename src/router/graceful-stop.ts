// A graceful stop (SIGTERM): requests never sent are answered `overloaded`,
// and new ones too, so stations ask again later; requests at a server may
// finish for up to `timeoutMs`, and their answers are delivered; what is
// still at a server then is answered `server-lost`, each one logged. The
// caller then closes links, then lines.
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { Effect } from '../dispatch/types.js';
import type { Logger } from '../log/logger.js';
import type { Scheduler } from '../machines/scheduler.js';

export interface StoppingRouter {
  readonly dispatcher: Dispatcher;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  run(effects: readonly Effect[]): void;
  /** Called after every batch of effects the router runs, until unset. */
  afterEffects(fn: (() => void) | undefined): void;
  /** Resolves once the lines' last bytes have left. */
  flushLines(): Promise<void>;
}

export interface StopResult {
  readonly finished: number;
  readonly cut: number;
  readonly refused: number;
}

/** A bound on how long the last answers may take to leave the ports. */
const FLUSH_MS = 1_000;

export async function settleForStop(r: StoppingRouter, timeoutMs: number): Promise<StopResult> {
  const refusedEffects = r.dispatcher.stopAccepting(r.scheduler.now());
  const refused = answered(refusedEffects).length;
  const waiting = r.dispatcher.atServers();
  r.log.info('router.stopping', { refused, atServers: waiting, waitMs: timeoutMs });
  r.run(refusedEffects);
  await new Promise<void>((resolve) => {
    const timer = r.scheduler.after(timeoutMs, () => {
      r.afterEffects(undefined);
      resolve();
    });
    const check = () => {
      if (r.dispatcher.atServers() > 0) return;
      r.afterEffects(undefined);
      timer.cancel();
      resolve();
    };
    r.afterEffects(check);
    check();
  });
  const cutEffects = r.dispatcher.cutAtServers(r.scheduler.now(), `the router stopped before the server answered (stopTimeoutMs ${timeoutMs})`);
  for (const n of answered(cutEffects)) r.log.warn('router.stop-cut', { line: n.line, id: n.id, op: n.op, waitedMs: n.totalMs });
  r.run(cutEffects);
  const cut = answered(cutEffects).length;
  await Promise.race([r.flushLines(), new Promise<void>((done) => r.scheduler.after(FLUSH_MS, done))]);
  const result = { finished: waiting - cut, cut, refused };
  r.log.info('router.stopped-gracefully', result);
  return result;
}

function answered(effects: readonly Effect[]) {
  return effects.flatMap((e) => (e.kind === 'note' && e.note.event === 'answered' ? [e.note] : []));
}
