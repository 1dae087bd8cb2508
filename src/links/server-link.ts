// One link from the router to a data server (or a peer router), over TCP or a
// serial line: connects out, makes the handshake of a protected link and seals
// every message (PROTOCOL.md 3), keeps it alive with pings, reconnects with
// backoff (2.2 rule 2), and re-handshakes on its schedule.
//
//   stopped -> connecting -> handshaking -> open -> waiting -> connecting -> ...
//   (a plaintext link skips handshaking)
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { schedule, type ScheduledTask } from 'node-cron';
import type { ServerConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { DropCounter } from '../log/drop-counter.js';
import { Backoff } from '../util/backoff.js';
import { encodeFrame, type DiscardReason } from '../wire/frame.js';
import { FrameReader } from '../wire/frame-reader.js';
import { encodeMessage, type RouterToServer, type ServerToRouter } from '../wire/messages.js';
import { parseHandshake, parseServerMessage } from '../wire/parse.js';
import { SecureSession } from '../secure/session.js';
import { plainChannel, type Channel } from './channel.js';
import { finishAsRouter, HANDSHAKE_RANDOM_LENGTH, openMessage } from '../secure/handshake.js';
import { describeAddress, openTransport } from './transport.js';
import { closeStream } from '../serial-port.js';

export type LinkState = 'stopped' | 'connecting' | 'handshaking' | 'open' | 'waiting';

const REHANDSHAKE_JITTER_MAX_MS = 60_000;

/** node-cron's own messages (a missed run, say) as log lines of this link, not bare console output. */
function cronLogger(log: Logger) {
  const line = (level: 'info' | 'warn' | 'error' | 'debug') => (message: string) => log[level]('link.schedule', { message: String(message) });
  return { info: line('debug'), debug: line('debug'), warn: line('warn'), error: line('error') };
}

/** 2.2 rule 2: after this many unanswered pings the server is down. */
export const MISSED_PINGS_LIMIT = 3;
/** A server that does not answer `open`, or send `ready`, within this many ping intervals is down. */
const HANDSHAKE_PINGS = 3;
const READY_PINGS = 5;

export interface ServerLinkHandlers {
  /** Open and ready to carry messages (the server is available only after its `ready`). */
  connected(): void;
  message(msg: Extract<ServerToRouter, { t: 'ready' | 'res' }>): void;
  down(why: string): void;
  /** A fresh handshake is due: stop sending work here, and call `link.rehandshakeNow()` once idle. */
  rehandshakeDue(why: string): void;
  /** Every state change, with its reason (the status seam). */
  phase(state: LinkState, why?: string): void;
  /** A sealed handshake completed. */
  handshake(): void;
  dropped(reason: LinkDropReason): void;
}

export type LinkDropReason = DiscardReason | 'not-cose' | 'wrong-kid' | 'replay' | 'decrypt' | 'not-a-message' | 'unknown-type' | 'bad-field';

export class ServerLink {
  state: LinkState = 'stopped';
  readonly drops: DropCounter<LinkDropReason>;
  private stream: Duplex | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private cron: ScheduledTask | undefined;
  private pingN = 0;
  private unanswered = 0;
  private failures = 0;
  private rehandshakePending = false;
  private jitterTimer: NodeJS.Timeout | undefined;
  private gotReady = false;
  /** Bumped by every connect and stop: a connect that resolves late sees it is stale. */
  private generation = 0;
  private readonly backoff = new Backoff(250, 10_000);
  private channel: Channel = plainChannel;
  private r1: Buffer = Buffer.alloc(0);

  constructor(
    readonly config: ServerConfig,
    private readonly pingIntervalMs: number,
    private readonly handlers: ServerLinkHandlers,
    private readonly log: Logger,
  ) {
    this.drops = new DropCounter(log, 'link.drop');
  }

  start(): void {
    if (this.state !== 'stopped') return;
    const security = this.config.security;
    if (security.kind === 'sealed') {
      this.cron = schedule(security.rehandshake, () => this.scheduledRehandshake(), {
        name: `rehandshake-${this.config.name}`,
        logger: cronLogger(this.log),
      });
    }
    void this.connect();
  }

  stop(): void {
    this.generation++;
    clearTimeout(this.timer);
    clearTimeout(this.jitterTimer);
    void this.cron?.destroy();
    this.cron = undefined;
    const wasOpen = this.state === 'open';
    this.teardown();
    this.setState('stopped');
    if (wasOpen) this.handlers.down('stopped');
  }

  send(msg: RouterToServer): void {
    if (this.state !== 'open' || !this.stream) return;
    this.stream.write(encodeFrame(this.channel.seal(encodeMessage(msg))));
    if (this.channel instanceof SecureSession && this.channel.nearlyExhausted) this.requestRehandshake('sequence numbers running out');
  }

  /** Closes and reconnects at once, for a fresh handshake (the router drained the link first). */
  rehandshakeNow(): void {
    if (this.state !== 'open') return;
    this.rehandshakePending = false;
    this.teardown();
    this.handlers.down('re-handshake');
    this.log.info('link.rehandshake', { address: describeAddress(this.config.address) });
    void this.connect();
  }

  /** Drops the connection and reconnects with backoff, settling what the server held. */
  reset(why: string): void {
    if (this.state === 'open' || this.state === 'handshaking') this.lost(why);
  }

  /**
   * Every link has the same schedule by default: each waits a random part of
   * the interval (at most a minute) so that the servers are not all drained at once.
   */
  private scheduledRehandshake(): void {
    const untilNext = this.cron?.msToNext() ?? 0;
    const jitter = Math.floor(Math.random() * Math.min(REHANDSHAKE_JITTER_MAX_MS, untilNext / 2));
    clearTimeout(this.jitterTimer);
    this.jitterTimer = setTimeout(() => this.requestRehandshake('scheduled'), jitter);
  }

  private requestRehandshake(why: string): void {
    if (this.state !== 'open' || this.rehandshakePending) return;
    this.rehandshakePending = true;
    this.handlers.rehandshakeDue(why);
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.setState('connecting');
    let stream: Duplex;
    try {
      stream = await openTransport(this.config.address);
    } catch (e) {
      if (generation === this.generation) this.retry(`cannot connect: ${(e as Error).message}`);
      return;
    }
    if (generation !== this.generation) {
      closeStream(stream);
      return;
    }
    this.stream = stream;
    const reader = new FrameReader(this.config.maxBody);
    stream.on('data', (chunk: Buffer) => {
      if (this.stream !== stream) return;
      for (const event of reader.push(chunk)) {
        if (this.stream !== stream) return; // a frame before this one closed the link
        if (event.kind === 'discard') this.drop(event.reason);
        else if (this.state === 'handshaking') this.receiveHandshake(event.body);
        else this.receive(event.body);
      }
    });
    stream.on('error', (err) => {
      if (this.stream === stream) this.log.warn('link.error', { error: err.message });
    });
    stream.on('close', () => {
      if (this.stream === stream) this.lost('connection closed');
    });
    // A lone 0x00 ends whatever partial frame the far end holds (PROTOCOL.md 1).
    stream.write(Buffer.of(0));
    const security = this.config.security;
    if (security.kind === 'insecure') {
      this.channel = plainChannel;
      this.opened();
      return;
    }
    this.setState('handshaking');
    this.r1 = randomBytes(HANDSHAKE_RANDOM_LENGTH);
    stream.write(encodeFrame(encodeMessage(openMessage(security.keys, this.r1))));
    this.timer = setTimeout(() => {
      if (this.state === 'handshaking') this.lost(`no 'opened' within ${HANDSHAKE_PINGS * this.pingIntervalMs} ms`);
    }, HANDSHAKE_PINGS * this.pingIntervalMs);
  }

  private receiveHandshake(body: Buffer): void {
    const security = this.config.security;
    if (security.kind !== 'sealed') return;
    const parsed = parseHandshake(body);
    if (!parsed.ok) return this.drop(parsed.problem.kind, 'before the handshake');
    const result = finishAsRouter(security.keys, this.r1, parsed.msg);
    if (!result.ok) {
      this.log.error('link.handshake-refused', { address: describeAddress(this.config.address), why: result.why });
      return this.lost(`handshake refused: ${result.why}`);
    }
    clearTimeout(this.timer);
    this.channel = result.session;
    this.handlers.handshake();
    this.opened();
  }

  private opened(): void {
    // The backoff resets only once the server has spoken (ready), so one that accepts and drops at once is not hammered.
    this.unanswered = 0;
    this.gotReady = false;
    this.setState('open');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.state === 'open' && !this.gotReady) this.lost(`no 'ready' within ${READY_PINGS * this.pingIntervalMs} ms`);
    }, READY_PINGS * this.pingIntervalMs);
    this.pingTimer = setInterval(() => this.ping(), this.pingIntervalMs);
    this.handlers.connected();
    // Plaintext: an early ping lets a server on a serial line (no connect event) know a router is there.
    // Sealed: the server's `ready` must be the first sealed message (PROTOCOL.md 3); the first ping follows it.
    if (this.config.security.kind === 'insecure') this.ping();
  }

  private receive(body: Buffer): void {
    const plaintext = this.channel.unseal(body);
    if (!plaintext) {
      const session = this.channel as SecureSession;
      this.drop(session.lastDropReason ?? 'not-cose');
      // PROTOCOL.md 3: three dropped messages in a row close the link; it reconnects with a fresh handshake.
      if (session.mustClose) this.lost(`${session.consecutiveDrops} sealed messages dropped in a row`);
      return;
    }
    const parsed = parseServerMessage(plaintext);
    if (!parsed.ok) return this.drop(parsed.problem.kind, 'why' in parsed.problem ? parsed.problem.why : `t '${parsed.problem.t}'`);
    const msg = parsed.msg;
    switch (msg.t) {
      case 'ping':
        return this.send({ t: 'pong', n: msg.n });
      case 'pong':
        this.unanswered = 0;
        return;
      case 'ready':
        if (!this.gotReady) {
          this.gotReady = true;
          this.backoff.reset();
          clearTimeout(this.timer);
          // Proves this router holds the key at once (a peer port registers a peer only then).
          if (this.config.security.kind === 'sealed') this.ping();
        }
        return this.handlers.message(msg);
      default:
        this.handlers.message(msg);
    }
  }

  private ping(): void {
    if (this.unanswered >= MISSED_PINGS_LIMIT) {
      this.lost(`no answer to ${MISSED_PINGS_LIMIT} pings`);
      return;
    }
    this.unanswered++;
    this.pingN = (this.pingN + 1) >>> 0;
    this.send({ t: 'ping', n: this.pingN });
  }

  private drop(reason: LinkDropReason, why?: string): void {
    this.drops.record(reason, { why });
    this.handlers.dropped(reason);
  }

  private lost(why: string): void {
    const wasOpen = this.state === 'open';
    this.teardown();
    this.retry(why);
    if (wasOpen) this.handlers.down(why);
  }

  private retry(why: string): void {
    const delay = this.backoff.delay();
    this.setState('waiting', why, delay);
    this.timer = setTimeout(() => void this.connect(), delay);
  }

  private teardown(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.timer);
    this.rehandshakePending = false;
    this.channel = plainChannel;
    const stream = this.stream;
    this.stream = undefined;
    if (stream) closeStream(stream);
  }

  private setState(next: LinkState, why?: string, retryInMs?: number): void {
    const previous = this.state;
    this.state = next;
    if (next === 'waiting') this.failures++;
    if (next === 'open') this.failures = 0;
    // A server that stays unreachable is reported once, then quietly retried.
    const quiet = next === 'connecting' || next === 'handshaking' || (next === 'waiting' && previous === 'connecting' && this.failures > 1);
    this.log[quiet ? 'debug' : next === 'waiting' ? 'warn' : 'info'](`link.${next}`, {
      address: describeAddress(this.config.address),
      sealed: this.config.security.kind === 'sealed',
      why,
      retryInMs,
    });
    this.handlers.phase(next, why);
  }
}
