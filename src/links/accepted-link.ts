// The accepting side of a server link (PROTOCOL.md 2.2): what a data server,
// or a router offering its peer port, runs on each connection. It frames,
// answers pings, and tells its owner when the link is ready for `ready`.
import type { Duplex } from 'node:stream';
import type { Logger } from '../log/logger.js';
import { encodeFrame } from '../wire/frame.js';
import { FrameReader } from '../wire/frame-reader.js';
import { encodeMessage, type RouterToServer, type ServerToRouter } from '../wire/messages.js';
import { parseRouterToServer } from '../wire/parse.js';
import { plainChannel, type Channel } from './channel.js';

export type Work = Extract<RouterToServer, { t: 'req' }>;

export interface AcceptedLinkHandlers {
  /** The link can carry messages: send `ready` now (again after a router restarted on a serial line). */
  open(): void;
  request(work: Work): void;
  closed(): void;
}

/**
 * A serial line has no connect event: the accepting side cannot tell when a
 * router opened (or reopened) its end. It takes the first frame after this
 * much silence as a new router and announces itself then (routers ping every
 * second). On a sealed link the `open` handshake marks the start instead.
 */
const SERIAL_SILENCE_MS = 2_500;

export class AcceptedLink {
  private readonly reader: FrameReader;
  private readonly channel: Channel = plainChannel;
  private lastHeard = -Infinity;
  private closed = false;

  constructor(
    private readonly stream: Duplex,
    private readonly kind: 'tcp' | 'serial',
    maxBody: number,
    private readonly handlers: AcceptedLinkHandlers,
    private readonly log: Logger,
  ) {
    this.reader = new FrameReader(maxBody);
    stream.on('data', (chunk: Buffer) => {
      for (const e of this.reader.push(chunk)) {
        if (e.kind === 'frame') this.receive(e.body);
        else this.log.debug('link.drop', { reason: e.reason });
      }
    });
    stream.on('error', (err) => this.log.debug('link.error', { error: err.message }));
    stream.on('close', () => this.close());
    if (kind === 'tcp') queueMicrotask(() => this.handlers.open());
  }

  send(msg: ServerToRouter): void {
    if (!this.closed && !this.stream.destroyed) this.stream.write(encodeFrame(this.channel.seal(encodeMessage(msg))));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.destroy();
    this.handlers.closed();
  }

  private receive(body: Buffer): void {
    const plaintext = this.channel.unseal(body);
    if (!plaintext) return;
    const parsed = parseRouterToServer(plaintext);
    if (!parsed.ok) return this.log.debug('link.drop', { reason: parsed.problem.kind });
    const now = Date.now();
    if (this.kind === 'serial' && now - this.lastHeard > SERIAL_SILENCE_MS) this.handlers.open();
    this.lastHeard = now;
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
}
