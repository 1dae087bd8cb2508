// One router's connection to the data server: the accepted link it speaks
// over (links/accepted-link.ts does the handshake, sealing and pings), its
// own queue of requests, and its slots. A request waits here in arrival order
// until one of the slots the server announces is free, is worked on for the
// service time, then executed (executor.ts) and answered on this connection.
//
// Each rule of the queue has one place: admission (`receive`), which request
// starts next (`takeNext`), how many may run (`hasFreeSlot`), and what a
// closed link leaves behind (`linkClosed`). PROTOCOL.md 6 reading 10: never
// more requests held than the slots last announced (beyond them: `overloaded`
// at once); never a request started, nor its op run, once its ttl counted
// from its arrival has run out (`timeout`); and nothing of a closed link's
// work that has not started. The router may have answered such work already.
import type { Duplex } from 'node:stream';
import type { LinkKeys } from '../keys/link-key-file.js';
import type { Logger } from '../log/logger.js';
import { AcceptedLink, type AcceptSecurity, type Work } from '../links/accepted-link.js';
import type { OpResult } from './ops/op.js';
import type { Scheduler, Timer } from '../machines/scheduler.js';

/** A router the data server knows by the key file it shares with it. */
export interface RouterKey {
  readonly keys: LinkKeys;
  readonly keyFile: string;
}

/** The routers a data server accepts: by key file (sealed), or anyone on loopback (plaintext, tests). */
export type DataServerSecurity = AcceptSecurity<RouterKey>;

/** What a connection needs of the server it belongs to. */
export interface ConnectionContext {
  readonly maxBody: number;
  readonly security: DataServerSecurity;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  /** Slots offered now: 0 while the server takes no work (PROTOCOL.md 2.2, `slots` 0 = drain). */
  announcedSlots(): number;
  opNames(): string[];
  /** How long the next request is worked on before its op runs. */
  serviceMs(): number;
  execute(work: Work): Promise<OpResult>;
}

/** A request as it waits here: `arrivedAt` (on the context's scheduler) is when its ttl started. */
interface Queued {
  readonly work: Work;
  readonly arrivedAt: number;
}

export class Connection {
  private active = 0;
  private readonly waiting: Queued[] = [];
  /** Service timers of started requests: a closed link cancels them (their ops never run). */
  private readonly timers = new Set<Timer>();
  private readonly link: AcceptedLink<RouterKey>;

  constructor(
    private readonly context: ConnectionContext,
    stream: Duplex,
    kind: 'tcp' | 'serial',
    onClosed: () => void,
    /** The door (admission/door.ts) takes it among the authenticated links; false: no room, it is closed. */
    admitted: () => boolean = () => true,
  ) {
    const { log } = context;
    this.link = new AcceptedLink(stream, kind, context.maxBody, context.security, {
      open: () => this.announce(),
      authenticated: (who) => {
        if (!admitted()) return this.close('every place for an authenticated router is taken');
        if (who) log.info('dataserver.router-connected', { keyFile: who.keyFile });
      },
      request: (work) => this.receive(work),
      closed: () => {
        this.linkClosed();
        onClosed();
      },
    }, log, context.scheduler);
  }

  /** Tells the router the slots and ops now (`ready`, PROTOCOL.md 2.2: again whenever either changes). */
  announce(): void {
    this.link.send({ t: 'ready', slots: this.context.announcedSlots(), ops: this.context.opNames() });
  }

  /** Closes the link; `why` is logged when given. */
  close(why?: string): void {
    this.link.close(why);
  }

  /** Starts waiting requests, first come first served, while a slot is free. */
  pump(): void {
    while (this.hasFreeSlot()) {
      const next = this.takeNext();
      if (!next) return;
      this.start(next);
    }
  }

  /** The server stopped taking work: what waits here is answered now, not left to time out. */
  failWaiting(code: string, msg: string): void {
    for (const { work } of this.waiting.splice(0)) this.answer(work, { ok: false, err: { code, msg } });
  }

  private receive(work: Work): void {
    const slots = this.context.announcedSlots();
    if (this.active + this.waiting.length >= slots) {
      return this.answer(work, { ok: false, err: { code: 'overloaded', msg: `this server holds ${this.active + this.waiting.length} requests of this router and announced ${slots} slots` } });
    }
    this.waiting.push({ work, arrivedAt: this.context.scheduler.now() });
    this.pump();
  }

  /** Its ttl, counted from its arrival here, has run out: nobody waits for its answer any more. */
  private expired(q: Queued): boolean {
    return this.context.scheduler.now() - q.arrivedAt >= q.work.ttl;
  }

  private timedOut(q: Queued): void {
    this.answer(q.work, { ok: false, err: { code: 'timeout', msg: `its ttl of ${q.work.ttl} ms ran out at the server before it started` } });
  }

  private hasFreeSlot(): boolean {
    return this.active < this.context.announcedSlots();
  }

  private takeNext(): Queued | undefined {
    for (let next = this.waiting.shift(); next; next = this.waiting.shift()) {
      if (!this.expired(next)) return next;
      this.timedOut(next);
    }
    return undefined;
  }

  private start(queued: Queued): void {
    const { scheduler } = this.context;
    this.active++;
    const timer = scheduler.after(this.context.serviceMs(), () => {
      this.timers.delete(timer);
      // The op runs at the end of the service time: a server frozen (stopped, swapping) meanwhile must not run it late.
      if (this.expired(queued)) {
        this.active--;
        this.timedOut(queued);
        return this.pump();
      }
      void this.context.execute(queued.work).then((result) => {
        this.active--;
        this.answer(queued.work, result);
        this.pump();
      });
    });
    this.timers.add(timer);
  }

  private answer(work: Work, result: OpResult): void {
    this.link.send(result.ok ? { t: 'res', id: work.id, ok: true, body: result.body } : { t: 'res', id: work.id, ok: false, err: result.err });
  }

  /** Work waiting or in service is dropped, never run; an op already running still ends (its answer goes nowhere). */
  private linkClosed(): void {
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    this.waiting.length = 0;
  }
}
