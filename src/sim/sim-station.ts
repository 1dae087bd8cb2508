// A simulated customizing station: personalizes virtual cards in a loop, as a
// reader/encoder's microprocessor would, one request at a time through the
// router: transport key, session keys (SCP03 mutual authentication with the
// chip), then a certificate per file (src/sim/card/). It retransmits a
// request whose answer is late, and counts an answer that was not its own.
import { decodeCbor, encodeCbor } from '../wire/cbor.js';
import type { RouterToStation } from '../wire/messages.js';
import type { RandomBytes } from './card/card-result.js';
import { CardRun, type CardNext } from './card/personalization.js';
import type { RunRejection } from './card/rejections.js';
import type { VirtualCard } from './card/virtual-card.js';
import { StationClient } from './station-client.js';
import { Counter } from './stats.js';

export interface SimStationOptions {
  readonly name: string;
  readonly path: string;
  /** Time the encoder spends on the chip between two requests. */
  readonly chipMs: number;
  /** Resend a request whose answer has not come after this long. */
  readonly retransmitMs: number;
  /** The first request id; stations get bases far apart so an answer shows whose it is. */
  readonly idBase: number;
  /** The chip maker: a blank card with its own diversified keys, for a serial number. */
  readonly manufacture: (csn: Buffer) => VirtualCard;
  /** The station's random source (host challenges). */
  readonly random: RandomBytes;
  /** Distinguishes this station's card serial numbers from every other station's. */
  readonly stationNumber: number;
}

interface Pending {
  readonly id: number;
  readonly op: string;
  readonly bytes: Buffer;
  readonly sentAt: number;
  retransmitTimer: NodeJS.Timeout;
}

export class SimStation {
  /** Cards personalized: every key checked by the chip, every file accepted. */
  cards = 0;
  /** Cards the station gave up on, by reason. */
  readonly rejected = new Counter<RunRejection>();
  requests = 0;
  retransmissions = 0;
  /** Answers to requests this station never sent: must stay 0. */
  foreign = 0;
  /** Requests answered with an error, by code. */
  readonly errors = new Counter<string>();
  /** Time with a request in flight, for line utilisation. */
  busyMs = 0;
  private readonly client: StationClient;
  private nextId: number;
  private serial = 0;
  private run: CardRun | undefined;
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
    this.proceed(this.newCard());
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.chipTimer);
    if (this.pending) clearTimeout(this.pending.retransmitTimer);
    this.pending = undefined;
    await this.client.close();
  }

  private newCard(): CardNext {
    // 8-byte serial numbers: the station's number, then its card count.
    const csn = Buffer.alloc(8);
    csn.writeUInt32BE(this.options.stationNumber, 0);
    csn.writeUInt32BE(++this.serial, 4);
    this.run = new CardRun(this.options.manufacture(csn), { random: this.options.random });
    return this.run.next;
  }

  /** Sends the card's next request, or books the finished card and starts another. */
  private proceed(next: CardNext): void {
    if (!this.running) return;
    if (next.done) {
      if (next.done.ok) this.cards++;
      else this.rejected.add(next.done.reason);
      return this.proceed(this.newCard());
    }
    const { op, body } = next.request;
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0;
    const bytes = encodeCbor(body);
    this.requests++;
    this.pending = { id, op, bytes, sentAt: Date.now(), retransmitTimer: this.armRetransmit(id, op, bytes) };
    this.client.send({ t: 'req', id, op, body: bytes });
  }

  private armRetransmit(id: number, op: string, body: Buffer): NodeJS.Timeout {
    return setTimeout(() => {
      if (!this.running || this.pending?.id !== id) return;
      this.retransmissions++;
      this.pending.retransmitTimer = this.armRetransmit(id, op, body);
      this.client.send({ t: 'req', id, op, body });
    }, this.options.retransmitMs);
  }

  /** Ids run up from this station's own base, so every station's ids differ. */
  private sentBefore(id: number): boolean {
    return ((id - this.options.idBase) >>> 0) < ((this.nextId - this.options.idBase) >>> 0);
  }

  private receive(msg: RouterToStation): void {
    if (msg.t !== 'res') return;
    const pending = this.pending;
    if (!pending || msg.id !== pending.id) {
      // A late duplicate of one of our own answers is harmless; an id this station never sent is someone else's answer.
      if (msg.id === null || !this.sentBefore(msg.id)) this.foreign++;
      return;
    }
    clearTimeout(pending.retransmitTimer);
    this.pending = undefined;
    this.busyMs += Date.now() - pending.sentAt;
    const run = this.run!;
    let next: CardNext;
    if (msg.ok) {
      let body: unknown;
      try {
        body = decodeCbor(msg.body);
      } catch {
        body = undefined; // the card run reports it as a bad answer
      }
      next = run.answer(body);
    } else {
      this.errors.add(msg.err.code);
      next = run.failed(msg.err.code);
    }
    this.chipTimer = setTimeout(() => this.proceed(next), this.options.chipMs);
  }
}
