// The accepting end of a server link (PROTOCOL.md 2.2): what a data server,
// or a router offering its peer port, runs on each connection. It answers the
// handshake of a protected link and seals every message after it (section 3),
// answers pings, and tells its owner when the link can carry `ready` and when
// the router has proved it holds the key. Bytes become messages in the link
// core (link-core.ts), shared with the router's end.
//
//   state          event                          effects                              next
//   awaiting-open  valid `open` (sealed)          send `opened`, open(who)              handshaken
//   awaiting-open  refused or malformed `open`,   log; TCP: close                       awaiting-open
//                  or any other frame
//   handshaken     first message that unseals     authenticated(who); TCP: arm idle     authenticated
//   handshaken,    `open` again (serial only:     send `opened`, open(who)              handshaken
//   authenticated  the router restarted)
//   any            3 unsealable in a row          TCP: close; serial: forget context    awaiting-open
//   any            timer (handshake, idle: TCP)   close                                 (closed)
//   On TCP the handshake deadline runs from the connection to the first
//   message that unseals: no byte, and no `open`, extends it (issue 11 item 1);
//   only an authenticated link has the idle timer, which its traffic re-arms.
//   (plaintext starts authenticated: open + authenticated at once on TCP, on the first frame on serial)
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { LinkKeys } from '../keys/link-key-file.js';
import type { Logger } from '../log/logger.js';
import { DropCounter } from '../log/drop-counter.js';
import type { RouterToServer, ServerToRouter } from '../wire/messages.js';
import { parseHandshake, parseRouterToServer } from '../wire/parse.js';
import { plainChannel } from '../secure/channel.js';
import { answerAsServer, HANDSHAKE_RANDOM_LENGTH } from '../secure/handshake.js';
import { closeStream } from '../serial-port.js';
import { LinkCore, type LinkDropReason } from './link-core.js';
import { TurnWriter } from './turn-writer.js';
import { NamedTimers } from '../machines/named-timers.js';
import type { Scheduler } from '../machines/scheduler.js';
import { systemScheduler } from '../timers/system-scheduler.js';

export type Work = Extract<RouterToServer, { t: 'req' }>;

/** Who may connect: anyone (plaintext, loopback only), or a router holding one of these key files. */
export type AcceptSecurity<K extends { readonly keys: LinkKeys }> = { readonly kind: 'insecure' } | { readonly kind: 'sealed'; readonly candidates: readonly K[] };

export interface AcceptedLinkHandlers<K> {
  /**
   * The link can carry messages: send `ready` now (PROTOCOL.md 3: the first
   * sealed message is the server's `ready`). Again after a new handshake, or
   * a router restart on a plaintext serial line.
   */
  open(who: K | undefined): void;
  /**
   * The router proved it holds the key: its first message unsealed. Only now
   * may the owner let this connection replace another of the same peer (an
   * `open` is plaintext: anyone can send one).
   */
  authenticated(who: K | undefined): void;
  request(work: Work): void;
  closed(): void;
}

type State = 'awaiting-open' | 'handshaken' | 'authenticated';

/**
 * A plaintext serial line has no connect event: the accepting side announces
 * `ready` on the first frame it hears, and again at most this often while the
 * router speaks, so a router that reopened its end hears it too.
 */
const SERIAL_ANNOUNCE_MS = 2_500;
/** A TCP connection that has not completed its handshake by then is closed. */
export const HANDSHAKE_TIMEOUT_MS = 5_000;
/** A TCP connection silent this long is closed (routers ping every second by default). */
export const IDLE_TIMEOUT_MS = 60_000;

export class AcceptedLink<K extends { readonly keys: LinkKeys } = { readonly keys: LinkKeys }> {
  /** Dropped frames and messages by reason. */
  readonly drops: DropCounter<LinkDropReason>;
  private readonly core: LinkCore<RouterToServer>;
  /** One write per turn; every write to the stream goes through it, so order holds. */
  private readonly out: TurnWriter;
  private readonly timers: NamedTimers<'deadline'>;
  private state: State = 'awaiting-open';
  private who: K | undefined;
  private lastAnnounced = -Infinity;
  private closed = false;

  constructor(
    private readonly stream: Duplex,
    private readonly kind: 'tcp' | 'serial',
    maxBody: number,
    private readonly security: AcceptSecurity<K>,
    private readonly handlers: AcceptedLinkHandlers<K>,
    private readonly log: Logger,
    private readonly scheduler: Scheduler = systemScheduler,
  ) {
    this.core = new LinkCore(maxBody, parseRouterToServer);
    this.out = new TurnWriter(stream);
    this.drops = new DropCounter(log, 'link.drop');
    this.timers = new NamedTimers(scheduler);
    stream.on('data', (chunk: Buffer) => this.receive(chunk));
    stream.on('error', (err) => this.log.debug('link.error', { error: err.message }));
    stream.on('close', () => this.close());
    if (security.kind === 'insecure') {
      this.core.use(plainChannel);
      this.state = 'authenticated';
      if (kind === 'tcp')
        queueMicrotask(() => {
          this.handlers.open(undefined);
          this.handlers.authenticated(undefined);
        });
    } else if (kind === 'tcp') {
      this.deadline(HANDSHAKE_TIMEOUT_MS, 'no handshake');
    }
  }

  send(msg: ServerToRouter): void {
    if (this.closed || this.stream.destroyed || this.state === 'awaiting-open') return;
    // Never near the end of the sequence numbers (2^40): the router re-handshakes first, with a fresh context.
    if (this.core.sequenceState === 'exhausted') return this.endContext('sequence numbers used up');
    const frame = this.core.encode(msg);
    if (frame) this.out.write(frame);
  }

  /** Closes the link; `why`, when given, is logged (the owner's reason: the door was full, say). */
  close(why?: string): void {
    if (this.closed) return;
    if (why !== undefined) this.log.info('link.closing', { why });
    this.closed = true;
    this.timers.disarmAll();
    this.out.flush(); // what was sent before the close leaves before it
    closeStream(this.stream);
    this.handlers.closed();
  }

  private deadline(ms: number, why: string): void {
    this.timers.arm('deadline', ms, () => {
      this.log.info('link.closing', { why });
      this.close();
    });
  }

  private receive(chunk: Buffer): void {
    if (this.kind === 'tcp' && this.state === 'authenticated') this.deadline(IDLE_TIMEOUT_MS, 'silent too long');
    for (const input of this.core.push(chunk)) {
      if (this.closed) return;
      switch (input.kind) {
        case 'discard':
          this.drop(input.reason);
          if (this.refusesBeforeOpen()) return this.close(`a bad frame (${input.reason}) before the handshake`);
          break;
        case 'handshake':
          if (!this.tryHandshake(input.body)) {
            this.drop('before-handshake');
            // Issue 11 item 1: a malformed `open` (or any other frame in its place) closes at once on TCP.
            if (this.refusesBeforeOpen()) return this.close('a malformed open, or no open, as the first frame');
          }
          break;
        case 'unsealable':
          // A router starts (on a serial line, perhaps restarts) its handshake; else a drop.
          if (this.kind === 'serial' && this.tryHandshake(input.body)) break;
          this.drop(input.reason);
          // PROTOCOL.md 3: three drops in a row end the context; the router reconnects with a fresh handshake.
          if (input.mustClose) this.endContext(`${input.inARow} sealed messages dropped in a row`);
          break;
        case 'bad': {
          this.unsealedOne();
          const p = input.problem;
          // A malformed req with a readable id is still owed its one answer (2.1 rule 1 holds for peers too).
          if (p.kind === 'bad-field' && p.t === 'req' && p.id !== null) this.send({ t: 'res', id: p.id, ok: false, err: { code: 'bad-request', msg: p.why } });
          else this.drop(p.kind);
          break;
        }
        case 'message':
          this.receiveMessage(input.msg);
          break;
      }
    }
  }

  /** The first message that unseals after a handshake proves the router holds the key. */
  private unsealedOne(): void {
    if (this.state !== 'handshaken') return;
    this.state = 'authenticated';
    // The handshake deadline ends here, not at `open`: from now on the link's own traffic keeps it.
    if (this.kind === 'tcp') this.deadline(IDLE_TIMEOUT_MS, 'silent too long');
    this.handlers.authenticated(this.who);
  }

  /** A sealed TCP connection gets one chance: its first frame is a well-formed `open`, or it is closed. */
  private refusesBeforeOpen(): boolean {
    return this.kind === 'tcp' && this.security.kind === 'sealed' && this.state === 'awaiting-open';
  }

  private receiveMessage(msg: RouterToServer): void {
    this.unsealedOne();
    // A plaintext serial line cannot tell a new router from the old one: it announces again now and then.
    const now = this.scheduler.now();
    if (this.security.kind === 'insecure' && this.kind === 'serial' && now - this.lastAnnounced > SERIAL_ANNOUNCE_MS) {
      this.lastAnnounced = now;
      this.handlers.open(undefined);
      this.handlers.authenticated(undefined);
    }
    switch (msg.t) {
      case 'ping':
        return this.send({ t: 'pong', n: msg.n });
      case 'pong':
        return;
      case 'req':
        return this.handlers.request(msg);
    }
  }

  /** Answers an `open` (PROTOCOL.md 3): a fresh context for every handshake. False when the body is no `open`. */
  private tryHandshake(body: Buffer): boolean {
    if (this.security.kind !== 'sealed') return false;
    const parsed = parseHandshake(body);
    if (!parsed.ok || parsed.msg.t !== 'open') return false;
    const result = answerAsServer(this.security.candidates, parsed.msg, randomBytes(HANDSHAKE_RANDOM_LENGTH));
    if (!result.ok) {
      this.log.warn('link.handshake-refused', { why: result.why });
      if (this.kind === 'tcp') this.close('its open was refused');
      return true;
    }
    this.out.write(this.core.encodeHandshake(result.reply));
    this.core.use(result.session);
    this.who = result.who;
    this.state = 'handshaken';
    this.handlers.open(result.who);
    return true;
  }

  private endContext(why: string): void {
    this.log.warn('link.closing', { why });
    if (this.kind === 'tcp') return this.close();
    // A serial line stays: the router's next `open` starts over.
    this.core.use(undefined);
    this.state = 'awaiting-open';
  }

  private drop(reason: LinkDropReason): void {
    this.drops.record(reason);
  }
}
