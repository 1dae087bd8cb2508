// A simulated customizing station: personalizes cards in a loop, each card a
// fixed sequence of requests, one at a time, as a reader/encoder's
// microprocessor would. It checks that every answer is its own, and
// retransmits a request whose answer is late.
import { StationClient } from './station-client.js';
import { encodeCbor } from '../wire/cbor.js';
import type { RouterToStation } from '../wire/messages.js';
import { Counter } from './stats.js';

/** One card: what a station asks for, in order (the seed's three needs). */
export const CARD_STEPS: readonly { op: string; what: string }[] = [
  { op: 'echo', what: 'transport-key' },
  { op: 'echo', what: 'session-keys' },
  { op: 'echo', what: 'certificate MF' },
  { op: 'echo', what: 'certificate DF-01' },
  { op: 'echo', what: 'certificate EF-01' },
  { op: 'echo', what: 'certificate EF-02' },
];

export interface SimStationOptions {
  readonly name: string;
  readonly path: string;
  /** Time the encoder spends on the chip between two requests. */
  readonly chipMs: number;
  /** Resend a request whose answer has not come after this long. */
  readonly retransmitMs: number;
  /** The first request id; stations get bases far apart so an answer shows whose it is. */
  readonly idBase: number;
}

interface Pending {
  readonly id: number;
  readonly bytes: Buffer;
  readonly sentAt: number;
  retransmitTimer: NodeJS.Timeout;
}

export class SimStation {
  cards = 0;
  requests = 0;
  retransmissions = 0;
  /** Answers that were not this station's: must stay 0. */
  foreign = 0;
  readonly errors = new Counter<string>();
  /** Time with a request in flight, for line utilisation. */
  busyMs = 0;
  private readonly client: StationClient;
  private nextId: number;
  private step = 0;
  private pending: Pending | undefined;
  private running = false;
  private chipTimer: NodeJS.Timeout | undefined;

  get name(): string {
    return this.options.name;
  }

  constructor(private readonly options: SimStationOptions) {
    this.nextId = options.idBase >>> 0;
    this.client = new StationClient(options.path, { message: (msg) => this.receive(msg) });
  }

  async start(): Promise<void> {
    await this.client.open();
    this.running = true;
    this.client.send({ t: 'hello', v: 1, station: this.options.name });
    this.sendNext();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.chipTimer);
    if (this.pending) clearTimeout(this.pending.retransmitTimer);
    this.pending = undefined;
    await this.client.close();
  }

  /** Ids run up from this station's own base, so every station's ids differ. */
  private sentBefore(id: number): boolean {
    return ((id - this.options.idBase) >>> 0) < ((this.nextId - this.options.idBase) >>> 0);
  }

  private sendNext(): void {
    if (!this.running) return;
    const step = CARD_STEPS[this.step]!;
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0;
    // What only this request has: station, card, step and id travel in the body and must come back.
    const body = encodeCbor({ station: this.options.name, card: this.cards + 1, step: step.what, id });
    const bytes = Buffer.from(body);
    this.requests++;
    this.pending = { id, bytes, sentAt: Date.now(), retransmitTimer: this.armRetransmit(id, step.op, bytes) };
    this.client.send({ t: 'req', id, op: step.op, body: bytes });
  }

  private armRetransmit(id: number, op: string, body: Buffer): NodeJS.Timeout {
    return setTimeout(() => {
      if (!this.running || this.pending?.id !== id) return;
      this.retransmissions++;
      this.pending.retransmitTimer = this.armRetransmit(id, op, body);
      this.client.send({ t: 'req', id, op, body });
    }, this.options.retransmitMs);
  }

  private receive(msg: RouterToStation): void {
    if (msg.t !== 'res') return;
    const pending = this.pending;
    if (!pending || msg.id !== pending.id) {
      // A late duplicate of one of our own answers is harmless; an id this station never sent is someone else's answer.
      if (msg.id === null || !this.sentBefore(msg.id)) {
        this.foreign++;
        this.errors.add('foreign-answer');
      }
      return;
    }
    clearTimeout(pending.retransmitTimer);
    this.pending = undefined;
    this.busyMs += Date.now() - pending.sentAt;
    if (!msg.ok) {
      this.errors.add(msg.err.code);
      this.step = 0; // the card is spoiled: start a new one
    } else if (!Buffer.from(msg.body).equals(pending.bytes)) {
      this.foreign++;
      this.errors.add('foreign-answer');
      this.step = 0;
    } else if (++this.step === CARD_STEPS.length) {
      this.step = 0;
      this.cards++;
    }
    this.chipTimer = setTimeout(() => this.sendNext(), this.options.chipMs);
  }
}
