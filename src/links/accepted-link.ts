// The accepting side of a server link (PROTOCOL.md 2.2): what a data server,
// or a router offering its peer port, runs on each connection. It answers the
// handshake of a protected link and seals every message after it (section 3),
// answers pings, and tells its owner when the link can carry `ready` and when
// the router has proved it holds the key.
//
//   awaiting-open -> handshaken -> authenticated      (sealed)
//   authenticated at once                             (plaintext)
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { LinkKeys } from '../keys/link-key-file.js';
import type { Logger } from '../log/logger.js';
import { DropCounter } from '../log/drop-counter.js';
import { SecureSession } from '../secure/session.js';
import { encodeFrame } from '../wire/frame.js';
import { FrameReader } from '../wire/frame-reader.js';
import { encodeMessage, type RouterToServer, type ServerToRouter } from '../wire/messages.js';
import { parseHandshake, parseRouterToServer } from '../wire/parse.js';
import { plainChannel, type Channel } from './channel.js';
import { answerAsServer, HANDSHAKE_RANDOM_LENGTH } from '../secure/handshake.js';
import { closeStream } from '../serial-port.js';

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
const HANDSHAKE_TIMEOUT_MS = 5_000;
/** A TCP connection silent this long is closed (routers ping every second by default). */
const IDLE_TIMEOUT_MS = 60_000;

export class AcceptedLink<K extends { readonly keys: LinkKeys } = { readonly keys: LinkKeys }> {
  /** Dropped frames and messages by reason. */
  readonly drops: DropCounter<string>;
  private readonly reader: FrameReader;
  private channel: Channel | undefined;
  private state: State = 'awaiting-open';
  private who: K | undefined;
  private lastAnnounced = -Infinity;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: Duplex,
    private readonly kind: 'tcp' | 'serial',
    maxBody: number,
    private readonly security: AcceptSecurity<K>,
    private readonly handlers: AcceptedLinkHandlers<K>,
    private readonly log: Logger,
  ) {
    this.reader = new FrameReader(maxBody);
    this.drops = new DropCounter(log, 'link.drop');
    stream.on('data', (chunk: Buffer) => {
      if (kind === 'tcp') this.armTimer(IDLE_TIMEOUT_MS, 'silent too long');
      for (const e of this.reader.push(chunk)) {
        if (this.closed) return;
        if (e.kind === 'frame') this.receive(e.body);
        else this.drop(e.reason);
      }
    });
    stream.on('error', (err) => this.log.debug('link.error', { error: err.message }));
    stream.on('close', () => this.close());
    if (security.kind === 'insecure') {
      this.channel = plainChannel;
      this.state = 'authenticated';
      if (kind === 'tcp')
        queueMicrotask(() => {
          this.handlers.open(undefined);
          this.handlers.authenticated(undefined);
        });
    } else if (kind === 'tcp') {
      this.armTimer(HANDSHAKE_TIMEOUT_MS, 'no handshake');
    }
  }

  send(msg: ServerToRouter): void {
    if (this.closed || this.stream.destroyed || !this.channel || this.state === 'awaiting-open') return;
    this.stream.write(encodeFrame(this.channel.seal(encodeMessage(msg))));
    // Never near the end of the sequence numbers (2^40): the router reconnects with a fresh context.
    if (this.channel instanceof SecureSession && this.channel.nearlyExhausted) this.endContext('sequence numbers running out');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    closeStream(this.stream);
    this.handlers.closed();
  }

  private armTimer(ms: number, why: string): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.log.info('link.closing', { why });
      this.close();
    }, ms);
  }

  private receive(body: Buffer): void {
    const channel = this.state === 'awaiting-open' ? undefined : this.channel;
    const plaintext = channel?.unseal(body);
    if (!plaintext) {
      // A router starts (on a serial line, perhaps restarts) its handshake; else a drop.
      if (this.security.kind === 'sealed' && this.mayHandshake() && this.tryHandshake(body)) return;
      if (channel instanceof SecureSession) return this.dropSealed(channel);
      return this.drop('before-handshake');
    }
    if (this.state === 'handshaken') {
      this.state = 'authenticated';
      this.handlers.authenticated(this.who);
    }
    const parsed = parseRouterToServer(plaintext);
    if (!parsed.ok) {
      const p = parsed.problem;
      // A malformed req with a readable id is still owed its one answer (2.1 rule 1 holds for peers too).
      if (p.kind === 'bad-field' && p.t === 'req' && p.id !== null) return this.send({ t: 'res', id: p.id, ok: false, err: { code: 'bad-request', msg: p.why } });
      return this.drop(p.kind);
    }
    // A plaintext serial line cannot tell a new router from the old one: it announces again now and then.
    const now = performance.now();
    if (this.security.kind === 'insecure' && this.kind === 'serial' && now - this.lastAnnounced > SERIAL_ANNOUNCE_MS) {
      this.lastAnnounced = now;
      this.handlers.open(undefined);
      this.handlers.authenticated(undefined);
    }
    const msg = parsed.msg;
    switch (msg.t) {
      case 'ping':
        return this.send({ t: 'pong', n: msg.n });
      case 'pong':
        return;
      case 'req':
        return this.handlers.request(msg);
    }
  }

  /** On TCP one handshake per connection (a router re-handshakes by reconnecting); a serial line has no reconnect. */
  private mayHandshake(): boolean {
    return this.kind === 'serial' || this.state === 'awaiting-open';
  }

  /** Answers an `open` (PROTOCOL.md 3): a fresh context for every handshake. */
  private tryHandshake(body: Buffer): boolean {
    if (this.security.kind !== 'sealed') return false;
    const parsed = parseHandshake(body);
    if (!parsed.ok || parsed.msg.t !== 'open') return false;
    const result = answerAsServer(this.security.candidates, parsed.msg, randomBytes(HANDSHAKE_RANDOM_LENGTH));
    if (!result.ok) {
      this.log.warn('link.handshake-refused', { why: result.why });
      if (this.kind === 'tcp') this.close();
      return true;
    }
    this.stream.write(encodeFrame(encodeMessage(result.reply)));
    this.channel = result.session;
    this.who = result.who;
    this.state = 'handshaken';
    if (this.kind === 'tcp') this.armTimer(IDLE_TIMEOUT_MS, 'silent too long');
    this.handlers.open(result.who);
    return true;
  }

  private dropSealed(session: SecureSession): void {
    this.drop(session.lastDropReason ?? 'not-cose');
    // PROTOCOL.md 3: three drops in a row end the context; the router reconnects with a fresh handshake.
    if (session.mustClose) this.endContext(`${session.consecutiveDrops} sealed messages dropped in a row`);
  }

  private endContext(why: string): void {
    this.log.warn('link.closing', { why });
    if (this.kind === 'tcp') return this.close();
    // A serial line stays: the router's next `open` starts over.
    this.channel = undefined;
    this.state = 'awaiting-open';
  }

  private drop(reason: string): void {
    this.drops.record(reason);
  }
}
