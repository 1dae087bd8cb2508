// One side of a protected link after its handshake (PROTOCOL.md 3): the
// security context, this side's next sequence number, the last Partial IV
// accepted from the peer, and the drop counters. It is the `Channel` the
// link's frames go through.
//
// * Sequence numbers start at 0 and go up by one per sealed message, never
//   above 2^40 - 1 (RFC 8613 7.2.1): a nonce must never repeat under a key.
//   Past that, `seal` refuses; `nearlyExhausted` tells the link to
//   re-handshake (a fresh R1 || R2, so a fresh context) well before.
// * A received message is accepted only with a piv above the last accepted
//   one (links are ordered: anything else is a replay or a reordering).
// * After DROPS_BEFORE_CLOSE dropped messages in a row the link must close
//   and reconnect with a fresh handshake (`mustClose`); an accepted message
//   resets the run. The session only counts: closing is the link's job.
import type { Channel, SequenceState, UnsealResult } from './channel.js';
import type { SecurityContext } from './context.js';
import { MAX_PIV } from './piv.js';
import { NO_PIV_YET, openMessage, sealMessage, type OpenFailure } from './seal.js';

/** PROTOCOL.md 3: after this many dropped messages in a row the link closes. */
export const DROPS_BEFORE_CLOSE = 3;
/** Default headroom for `nearlyExhausted`: about half an hour at 10 000 messages a second. */
export const DEFAULT_EXHAUSTION_MARGIN = 2 ** 24;

export class SequenceExhaustedError extends Error {
  constructor() {
    super('sender sequence number would pass 2^40 - 1: re-handshake for a fresh context');
    this.name = 'SequenceExhaustedError';
  }
}

export interface SessionOptions {
  /** Sequence numbers left when `nearlyExhausted` turns true. */
  readonly exhaustionMargin?: number;
  /** First sequence number to send. PROTOCOL.md 3 says 0; other values are for tests. */
  readonly initialSequence?: number;
}

export class SecureSession implements Channel {
  /** Dropped messages per reason, since the session began. */
  readonly drops = new Map<OpenFailure, number>();
  private sequence: number;
  private lastPiv = NO_PIV_YET;
  private dropRun = 0;
  private readonly margin: number;

  constructor(
    readonly context: SecurityContext,
    options: SessionOptions = {},
  ) {
    this.sequence = options.initialSequence ?? 0;
    this.margin = options.exhaustionMargin ?? DEFAULT_EXHAUSTION_MARGIN;
    if (!Number.isSafeInteger(this.sequence) || this.sequence < 0 || this.sequence > MAX_PIV + 1) {
      throw new RangeError(`initial sequence ${this.sequence} outside 0..2^40`);
    }
  }

  /** The sequence number (Partial IV) the next sealed message gets. */
  get nextSequence(): number {
    return this.sequence;
  }

  /** Every sequence number is used up: `seal` throws. */
  get exhausted(): boolean {
    return this.sequence > MAX_PIV;
  }

  /** Few sequence numbers are left: time to re-handshake. */
  get nearlyExhausted(): boolean {
    return MAX_PIV + 1 - this.sequence <= this.margin;
  }

  /** The last Partial IV accepted from the peer (NO_PIV_YET = -1 before the first). */
  get lastAcceptedPiv(): number {
    return this.lastPiv;
  }

  /** Messages dropped since the last accepted one. */
  get consecutiveDrops(): number {
    return this.dropRun;
  }

  get sequenceState(): SequenceState {
    return this.exhausted ? 'exhausted' : this.nearlyExhausted ? 'nearly-exhausted' : 'fresh';
  }

  /** PROTOCOL.md 3: the link must close now. */
  get mustClose(): boolean {
    return this.dropRun >= DROPS_BEFORE_CLOSE;
  }

  /** Throws SequenceExhaustedError past 2^40 - 1 messages (the sequence number is not used up then). */
  seal(plaintext: Uint8Array): Buffer {
    if (this.exhausted) throw new SequenceExhaustedError();
    const body = sealMessage(this.context, plaintext, this.sequence);
    this.sequence++; // only once sealed: a refused plaintext costs no number
    return body;
  }

  /** The plaintext, or why the body is dropped (counted). Never throws. */
  unseal(body: Uint8Array): UnsealResult {
    const opened = openMessage(this.context, body, this.lastPiv);
    if (!opened.ok) {
      this.drops.set(opened.reason, (this.drops.get(opened.reason) ?? 0) + 1);
      this.dropRun++;
      return { ok: false, reason: opened.reason, mustClose: this.mustClose, inARow: this.dropRun };
    }
    this.lastPiv = opened.piv;
    this.dropRun = 0;
    return { ok: true, plaintext: opened.plaintext };
  }
}
