// One link from the router to a data server (or a peer router), over TCP or a
// serial line: connects out, keeps it alive with pings, reconnects with
// backoff (PROTOCOL.md 2.2 rule 2).
//
//   stopped -> connecting -> open -> waiting -> connecting -> ...
import type { Duplex } from 'node:stream';
import type { ServerConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { Backoff } from '../util/backoff.js';
import { encodeFrame, type DiscardReason } from '../wire/frame.js';
import { FrameReader } from '../wire/frame-reader.js';
import { encodeMessage, type RouterToServer, type ServerToRouter } from '../wire/messages.js';
import { parseServerMessage } from '../wire/parse.js';
import { plainChannel, type Channel } from './channel.js';
import { describeAddress, openTransport } from './transport.js';

export type LinkState = 'stopped' | 'connecting' | 'open' | 'waiting';

/** 2.2 rule 2: after this many unanswered pings the server is down. */
export const MISSED_PINGS_LIMIT = 3;

export interface ServerLinkHandlers {
  /** Open and ready to carry messages (the server is available only after its `ready`). */
  connected(): void;
  message(msg: Extract<ServerToRouter, { t: 'ready' | 'res' }>): void;
  down(why: string): void;
}

export type LinkDropReason = DiscardReason | 'unsealed' | 'not-a-message' | 'unknown-type' | 'bad-field';

export class ServerLink {
  state: LinkState = 'stopped';
  readonly drops = new Map<LinkDropReason, number>();
  private stream: Duplex | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pingN = 0;
  private unanswered = 0;
  private failures = 0;
  private readonly backoff = new Backoff(250, 10_000);
  private readonly channel: Channel = plainChannel;

  constructor(
    readonly config: ServerConfig,
    private readonly pingIntervalMs: number,
    private readonly handlers: ServerLinkHandlers,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.state === 'stopped') void this.connect();
  }

  stop(): void {
    clearTimeout(this.timer);
    const wasOpen = this.state === 'open';
    this.teardown();
    this.setState('stopped');
    if (wasOpen) this.handlers.down('stopped');
  }

  send(msg: RouterToServer): void {
    if (this.state !== 'open' || !this.stream) return;
    this.stream.write(encodeFrame(this.channel.seal(encodeMessage(msg))));
  }

  private async connect(): Promise<void> {
    this.setState('connecting');
    let stream: Duplex;
    try {
      stream = await openTransport(this.config.address);
    } catch (e) {
      if (this.state === 'connecting') this.retry(`cannot connect: ${(e as Error).message}`);
      return;
    }
    if (this.state !== 'connecting') {
      stream.destroy();
      return;
    }
    this.stream = stream;
    const reader = new FrameReader(this.config.maxBody);
    stream.on('data', (chunk: Buffer) => {
      if (this.stream !== stream) return;
      for (const event of reader.push(chunk)) {
        if (event.kind === 'discard') this.drop(event.reason);
        else this.receive(event.body);
      }
    });
    stream.on('error', (err) => {
      if (this.stream === stream) this.log.warn('link.error', { error: err.message });
    });
    stream.on('close', () => {
      if (this.stream === stream) this.lost('connection closed');
    });
    this.backoff.reset();
    this.unanswered = 0;
    this.setState('open');
    stream.write(Buffer.of(0));
    this.pingTimer = setInterval(() => this.ping(), this.pingIntervalMs);
    this.handlers.connected();
    // An early ping lets a server on a serial line (no connect event) know a router is there.
    this.ping();
  }

  private receive(body: Buffer): void {
    const plaintext = this.channel.unseal(body);
    if (!plaintext) return this.drop('unsealed');
    const parsed = parseServerMessage(plaintext);
    if (!parsed.ok) return this.drop(parsed.problem.kind, 'why' in parsed.problem ? parsed.problem.why : `t '${parsed.problem.t}'`);
    const msg = parsed.msg;
    switch (msg.t) {
      case 'ping':
        return this.send({ t: 'pong', n: msg.n });
      case 'pong':
        this.unanswered = 0;
        return;
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
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    this.log.warn('link.drop', { reason, why, dropped: this.drops.get(reason) });
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
    const stream = this.stream;
    this.stream = undefined;
    stream?.destroy();
  }

  private setState(next: LinkState, why?: string, retryInMs?: number): void {
    const previous = this.state;
    this.state = next;
    if (next === 'waiting') this.failures++;
    if (next === 'open') this.failures = 0;
    // A server that stays unreachable is reported once, then quietly retried.
    const quiet = next === 'connecting' || (next === 'waiting' && previous === 'connecting' && this.failures > 1);
    this.log[quiet ? 'debug' : next === 'waiting' ? 'warn' : 'info'](`link.${next}`, {
      address: describeAddress(this.config.address),
      why,
      retryInMs,
    });
  }
}
