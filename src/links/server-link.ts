// The router's end of a link to a data server (or a peer router), over TCP or
// a serial line, as a thin shell: the link machine (src/machines/link-machine.ts)
// decides connects, handshakes, pings and backoff; the link core
// (link-core.ts) turns bytes into messages; this file runs the effects on a
// real transport and the injected scheduler, and keeps the re-handshake
// schedule (PROTOCOL.md 3).
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { schedule, type ScheduledTask } from 'node-cron';
import type { ServerConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { DropCounter } from '../log/drop-counter.js';
import type { RouterToServer, ServerToRouter } from '../wire/messages.js';
import { parseHandshake, parseServerMessage } from '../wire/parse.js';
import { plainChannel } from '../secure/channel.js';
import { finishAsRouter, HANDSHAKE_RANDOM_LENGTH, openMessage } from '../secure/handshake.js';
import { describeAddress, openTransport } from './transport.js';
import { closeStream } from '../serial-port.js';
import { LinkCore, type LinkDropReason } from './link-core.js';
import { TurnWriter } from './turn-writer.js';
import { initialLink, linkStep, type LinkEffect, type LinkEvent, type LinkMachine, type LinkPhase, type LinkSettings, type LinkTimer } from '../machines/link-machine.js';
import { NamedTimers } from '../machines/named-timers.js';
import type { Scheduler } from '../machines/scheduler.js';
import { systemScheduler } from '../timers/system-scheduler.js';

export type LinkState = LinkPhase;
export type { LinkDropReason };
export { MISSED_PINGS_LIMIT } from '../machines/liveness.js';

const REHANDSHAKE_JITTER_MAX_MS = 60_000;

export interface ServerLinkHandlers {
  /** Open and ready to carry messages (the server is available only after its `ready`). */
  connected(): void;
  message(msg: Extract<ServerToRouter, { t: 'ready' | 'res' }>): void;
  down(why: string): void;
  /** A fresh handshake is due: stop sending work here; the router calls `rehandshakeNow()` once idle. */
  rehandshakeDue(why: string): void;
  /** Every state change, with its reason (the status seam). */
  phase(state: LinkState, why?: string): void;
  /** A sealed handshake completed. */
  handshake(): void;
  dropped(reason: LinkDropReason): void;
}

/** Opens the byte stream of a link: TCP or serial by default, an in-memory pair in tests. */
export type Connector = (config: ServerConfig) => Promise<Duplex>;
const realConnector: Connector = (config) => openTransport(config.address);

/** node-cron's own messages (a missed run, say) as log lines of this link, not bare console output. */
function cronLogger(log: Logger) {
  const line = (level: 'info' | 'warn' | 'error' | 'debug') => (message: string) => log[level]('link.schedule', { message: String(message) });
  return { info: line('debug'), debug: line('debug'), warn: line('warn'), error: line('error') };
}

export class ServerLink {
  readonly drops: DropCounter<LinkDropReason>;
  private machine: LinkMachine = initialLink;
  private readonly settings: LinkSettings;
  private readonly timers: NamedTimers<LinkTimer | 'jitter'>;
  private stream: Duplex | undefined;
  /** The stream's bytes, one write per turn; every write to the stream goes through it, so order holds. */
  private out: TurnWriter | undefined;
  private core: LinkCore<ServerToRouter> | undefined;
  private cron: ScheduledTask | undefined;
  private rehandshakePending = false;
  private r1: Buffer = Buffer.alloc(0);
  /** Bumped by every connect and close: a connect that resolves late sees it is stale. */
  private generation = 0;

  constructor(
    readonly config: ServerConfig,
    pingIntervalMs: number,
    private readonly handlers: ServerLinkHandlers,
    private readonly log: Logger,
    private readonly scheduler: Scheduler = systemScheduler,
    private readonly connector: Connector = realConnector,
  ) {
    this.drops = new DropCounter(log, 'link.drop');
    this.settings = { sealed: config.security.kind === 'sealed', pingIntervalMs };
    this.timers = new NamedTimers(scheduler);
  }

  get state(): LinkState {
    return this.machine.phase;
  }

  start(): void {
    const security = this.config.security;
    if (this.machine.phase === 'stopped' && security.kind === 'sealed') {
      this.cron = schedule(security.rehandshake, () => this.scheduledRehandshake(), { name: `rehandshake-${this.config.name}`, logger: cronLogger(this.log) });
    }
    this.dispatch({ kind: 'start' });
  }

  stop(): void {
    this.timers.disarm('jitter');
    void this.cron?.destroy();
    this.cron = undefined;
    this.dispatch({ kind: 'stop' });
  }

  send(msg: RouterToServer): void {
    if (this.machine.phase !== 'open' || !this.out || !this.core) return;
    // Never reached with the drain margin of 2^24 messages, but a nonce must never repeat: reconnect instead.
    if (this.core.sequenceState === 'exhausted') return this.dispatch({ kind: 'lost', why: 'sequence numbers used up' });
    const frame = this.core.encode(msg);
    if (frame) this.out.write(frame);
    if (this.core.sequenceState !== 'fresh') this.requestRehandshake('sequence numbers running out');
  }

  /** Closes and reconnects at once, for a fresh handshake (the router drained the link first). */
  rehandshakeNow(): void {
    if (this.machine.phase !== 'open') return;
    this.log.info('link.rehandshake', { address: describeAddress(this.config.address) });
    this.dispatch({ kind: 'rehandshake-now' });
  }

  /** Drops the connection and reconnects with backoff, settling what the server held. */
  reset(why: string): void {
    if (this.machine.phase === 'open' || this.machine.phase === 'handshaking') this.dispatch({ kind: 'lost', why });
  }

  /**
   * Every link has the same schedule by default: each waits a random part of
   * the interval (at most a minute) so that the servers are not all drained at once.
   */
  private scheduledRehandshake(): void {
    const untilNext = this.cron?.msToNext() ?? 0;
    const jitter = Math.floor(Math.random() * Math.min(REHANDSHAKE_JITTER_MAX_MS, untilNext / 2));
    this.timers.arm('jitter', jitter, () => this.requestRehandshake('scheduled'));
  }

  private requestRehandshake(why: string): void {
    if (this.machine.phase !== 'open' || this.rehandshakePending) return;
    this.rehandshakePending = true;
    this.handlers.rehandshakeDue(why);
  }

  private dispatch(event: LinkEvent): void {
    const { machine, effects } = linkStep(this.machine, event, this.settings);
    this.machine = machine;
    for (const effect of effects) this.run(effect);
  }

  private run(effect: LinkEffect): void {
    switch (effect.kind) {
      case 'connect':
        return void this.connect();
      case 'close':
        return this.close();
      case 'send-open':
        return this.sendOpen();
      case 'send-ping':
        return this.send({ t: 'ping', n: effect.n });
      case 'arm':
        return this.timers.arm(effect.timer, effect.ms, () => this.dispatch({ kind: 'timer', timer: effect.timer }));
      case 'disarm':
        return this.timers.disarm(effect.timer);
      case 'connected':
        return this.handlers.connected();
      case 'down':
        return this.handlers.down(effect.why);
      case 'phase':
        this.log[effect.level](`link.${effect.phase}`, {
          address: describeAddress(this.config.address),
          sealed: this.settings.sealed,
          why: effect.why,
          retryInMs: effect.retryInMs,
        });
        return this.handlers.phase(effect.phase, effect.why);
    }
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    let stream: Duplex;
    try {
      stream = await this.connector(this.config);
    } catch (e) {
      if (generation === this.generation) this.dispatch({ kind: 'transport-failed', why: `cannot connect: ${(e as Error).message}` });
      return;
    }
    if (generation !== this.generation) return closeStream(stream);
    const core = new LinkCore(this.config.maxBody, parseServerMessage);
    // Plaintext: messages at once. Sealed: handshake frames only, until `opened`.
    core.use(this.settings.sealed ? undefined : plainChannel);
    this.stream = stream;
    this.out = new TurnWriter(stream);
    this.core = core;
    stream.on('data', (chunk: Buffer) => {
      if (this.stream === stream) this.receive(core, stream, chunk);
    });
    // An error is followed by close; its message becomes the reason the link closed.
    let error: string | undefined;
    stream.on('error', (err) => {
      error = err.message;
    });
    stream.on('close', () => {
      if (this.stream !== stream) return;
      // Issue 11 item 1: a link the far end closed before its handshake finished says so (a full door, a refused key).
      const before = this.machine.phase === 'handshaking' ? ' before the link opened' : '';
      this.dispatch({ kind: 'lost', why: error ? `connection failed${before}: ${error}` : `connection closed${before}` });
    });
    // A lone 0x00 ends whatever partial frame the far end holds (PROTOCOL.md 1).
    this.out.write(Buffer.of(0));
    this.dispatch({ kind: 'transport-open' });
  }

  private sendOpen(): void {
    const security = this.config.security;
    if (security.kind !== 'sealed' || !this.out || !this.core) return;
    this.r1 = randomBytes(HANDSHAKE_RANDOM_LENGTH);
    this.out.write(this.core.encodeHandshake(openMessage(security.keys, this.r1)));
  }

  private receive(core: LinkCore<ServerToRouter>, stream: Duplex, chunk: Buffer): void {
    for (const input of core.push(chunk)) {
      if (this.stream !== stream) return; // an input before this one closed the link
      switch (input.kind) {
        case 'discard':
          this.drop(input.reason);
          break;
        case 'handshake':
          this.receiveHandshake(core, input.body);
          break;
        case 'unsealable':
          this.drop(input.reason);
          // PROTOCOL.md 3: three dropped messages in a row close the link; it reconnects with a fresh handshake.
          if (input.mustClose) this.dispatch({ kind: 'lost', why: `${input.inARow} sealed messages dropped in a row` });
          break;
        case 'bad':
          this.drop(input.problem.kind, 'why' in input.problem ? input.problem.why : `t '${input.problem.t}'`);
          break;
        case 'message':
          this.receiveMessage(input.msg);
          break;
      }
    }
  }

  private receiveHandshake(core: LinkCore<ServerToRouter>, body: Buffer): void {
    const security = this.config.security;
    if (security.kind !== 'sealed' || this.machine.phase !== 'handshaking') return this.drop('before-handshake');
    const parsed = parseHandshake(body);
    if (!parsed.ok) return this.drop('before-handshake', parsed.problem.kind);
    const result = finishAsRouter(security.keys, this.r1, parsed.msg);
    if (!result.ok) {
      this.log.error('link.handshake-refused', { address: describeAddress(this.config.address), why: result.why });
      return this.dispatch({ kind: 'handshake-refused', why: `handshake refused: ${result.why}` });
    }
    core.use(result.session);
    this.rehandshakePending = false;
    this.handlers.handshake();
    this.dispatch({ kind: 'handshake-ok' });
  }

  private receiveMessage(msg: ServerToRouter): void {
    switch (msg.t) {
      case 'ping':
        return this.send({ t: 'pong', n: msg.n });
      case 'pong':
        return this.dispatch({ kind: 'pong' });
      case 'ready':
        this.dispatch({ kind: 'ready' });
        return this.handlers.message(msg);
      default:
        return this.handlers.message(msg);
    }
  }

  private drop(reason: LinkDropReason, why?: string): void {
    this.drops.record(reason, { why });
    this.handlers.dropped(reason);
  }

  private close(): void {
    this.generation++;
    this.rehandshakePending = false;
    const stream = this.stream;
    // What was sent before the close leaves before it, as when every frame was its own write.
    this.out?.flush();
    this.stream = undefined;
    this.out = undefined;
    this.core = undefined;
    if (stream) closeStream(stream);
  }
}
