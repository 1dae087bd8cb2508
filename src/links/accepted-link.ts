// The accepting side of a server link (PROTOCOL.md 2.2): what a data server,
// or a router offering its peer port, runs on each connection. It answers the
// handshake of a protected link and seals every message after it (section 3),
// answers pings, and tells its owner when the link is ready for `ready`.
//
//   awaiting-open -> open (sealed);  open at once (plaintext)
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { LinkKeys } from '../keys/link-key-file.js';
import type { Logger } from '../log/logger.js';
import { SecureSession } from '../secure/session.js';
import { encodeFrame } from '../wire/frame.js';
import { FrameReader } from '../wire/frame-reader.js';
import { encodeMessage, type RouterToServer, type ServerToRouter } from '../wire/messages.js';
import { parseHandshake, parseRouterToServer } from '../wire/parse.js';
import { plainChannel, type Channel } from './channel.js';
import { closeStream } from '../serial-port.js';
import { answerAsServer, HANDSHAKE_RANDOM_LENGTH } from './handshake.js';

export type Work = Extract<RouterToServer, { t: 'req' }>;

/** Who may connect: anyone (plaintext, loopback only), or a router holding one of these key files. */
export type AcceptSecurity<K extends { readonly keys: LinkKeys }> = { readonly kind: 'insecure' } | { readonly kind: 'sealed'; readonly candidates: readonly K[] };

export interface AcceptedLinkHandlers<K> {
  /** The link can carry messages: send `ready` now (again after a new handshake or a router restart on a serial line). */
  open(who: K | undefined): void;
  request(work: Work): void;
  closed(): void;
}

/**
 * A serial line has no connect event: on a plaintext serial link the
 * accepting side announces `ready` on the first frame it hears, and again at
 * most this often while the router speaks (routers ping every second and wait
 * 5 pings for `ready`), so a router that reopened its end hears it too. A
 * sealed link knows a new router from its `open`.
 */
const SERIAL_ANNOUNCE_MS = 2_500;

export class AcceptedLink<K extends { readonly keys: LinkKeys } = { readonly keys: LinkKeys }> {
  /** Dropped frames and messages by reason. */
  readonly drops = new Map<string, number>();
  private readonly reader: FrameReader;
  private channel: Channel | undefined;
  private lastAnnounced = -Infinity;
  private closed = false;

  constructor(
    private readonly stream: Duplex,
    private readonly kind: 'tcp' | 'serial',
    maxBody: number,
    private readonly security: AcceptSecurity<K>,
    private readonly handlers: AcceptedLinkHandlers<K>,
    private readonly log: Logger,
  ) {
    this.reader = new FrameReader(maxBody);
    stream.on('data', (chunk: Buffer) => {
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
      if (kind === 'tcp') queueMicrotask(() => this.handlers.open(undefined));
    }
  }

  send(msg: ServerToRouter): void {
    if (this.closed || this.stream.destroyed || !this.channel) return;
    this.stream.write(encodeFrame(this.channel.seal(encodeMessage(msg))));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeStream(this.stream);
    this.handlers.closed();
  }

  private receive(body: Buffer): void {
    const channel = this.channel;
    const plaintext = channel?.unseal(body);
    if (!plaintext) {
      // Not sealed for us: a router (re)starting its handshake, or a drop.
      if (this.security.kind === 'sealed' && this.tryHandshake(body)) return;
      if (channel instanceof SecureSession) return this.dropSealed(channel);
      return this.drop('before-handshake');
    }
    const parsed = parseRouterToServer(plaintext);
    if (!parsed.ok) return this.drop(parsed.problem.kind);
    // A plaintext serial line cannot tell a new router from the old one: it announces again now and then.
    const now = performance.now();
    if (this.security.kind === 'insecure' && this.kind === 'serial' && now - this.lastAnnounced > SERIAL_ANNOUNCE_MS) {
      this.lastAnnounced = now;
      this.handlers.open(undefined);
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
    this.handlers.open(result.who);
    return true;
  }

  private dropSealed(session: SecureSession): void {
    this.drop(session.lastDropReason ?? 'not-cose');
    if (!session.mustClose) return;
    // PROTOCOL.md 3: three drops in a row end the context; the router reconnects with a fresh handshake.
    this.log.warn('link.closing', { why: `${session.consecutiveDrops} sealed messages dropped in a row` });
    if (this.kind === 'tcp') this.close();
    else this.channel = undefined; // a serial line stays: the router's next `open` starts over
  }

  private drop(reason: string): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    this.log.debug('link.drop', { reason, dropped: this.drops.get(reason) });
  }
}
