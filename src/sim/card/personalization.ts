// One card's personalization as a station runs it, independent of the
// transport: a pure step machine that says which request to send next and
// drives the card with each answer.
//
//   transport-key {csn}                        -> card.unlock(key)
//   (card.initializeUpdate(hostChallenge) first: the request needs the card challenge)
//   session-keys {csn, hostChallenge, cardChallenge}
//                                              -> the server's card cryptogram must be the card's,
//                                                 card.externalAuthenticate(hostCryptogram),
//                                                 the session keys must be the card's (key check values)
//   certificate {csn, path, size, acl}, per file -> card.createFile(path, size, acl, cert)
//   (no request)                               -> card.complete()
//
// It ends with `done: { ok: true }`, or `{ ok: false, reason, step }` at the
// first thing that goes wrong; nothing an answer holds makes it throw.
import type { RandomBytes } from './card-result.js';
import { CARD_FILES, type CardFileSpec } from './card-files.js';
import { keyCheckValue } from './key-check.js';
import { readCertificateAnswer, readSessionKeysAnswer, readTransportKeyAnswer } from './answers.js';
import type { RunRejection } from './rejections.js';
import type { VirtualCard } from './virtual-card.js';

const CHALLENGE = 8;

export type CardRequest =
  | { readonly op: 'transport-key'; readonly body: { readonly csn: Buffer } }
  | { readonly op: 'session-keys'; readonly body: { readonly csn: Buffer; readonly hostChallenge: Buffer; readonly cardChallenge: Buffer } }
  | { readonly op: 'certificate'; readonly body: { readonly csn: Buffer; readonly path: string; readonly size: number; readonly acl: Buffer } };

/** Where a run stopped: the request whose answer (or whose preparation) failed, or the final `complete`. */
export type RunStep = 'transport-key' | 'session-keys' | `certificate ${string}` | 'complete';

export type CardOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: RunRejection; readonly step: RunStep; readonly detail?: string };

/** What to do now: send `request`, or the card is `done`. */
export type CardNext = { readonly request: CardRequest; readonly done?: undefined } | { readonly done: CardOutcome; readonly request?: undefined };

export interface CardRunOptions {
  /** The station's random number generator (the host challenge). */
  readonly random: RandomBytes;
  /** The files and directories to create, in order; CARD_FILES by default. */
  readonly files?: readonly CardFileSpec[];
}

interface Challenge {
  readonly hostChallenge: Buffer;
  readonly cardChallenge: Buffer;
  readonly cardCryptogram: Buffer;
}

export class CardRun {
  readonly #card: VirtualCard;
  readonly #random: RandomBytes;
  readonly #files: readonly CardFileSpec[];
  readonly #csn: Buffer;
  #next: CardNext;
  #file = 0;
  #challenge: Challenge | undefined;

  constructor(card: VirtualCard, options: CardRunOptions) {
    this.#card = card;
    this.#random = options.random;
    this.#files = options.files ?? CARD_FILES;
    this.#csn = card.csn;
    this.#next = { request: { op: 'transport-key', body: { csn: Buffer.from(this.#csn) } } };
  }

  /** The request to send now, or the outcome. Reading it changes nothing (a retransmission reads it again). */
  get next(): CardNext {
    return this.#next;
  }

  /** The outcome once the run is over. */
  get outcome(): CardOutcome | undefined {
    return this.#next.done;
  }

  /** Takes the answer body (`res` with `ok: true`) to the current request; after the end, changes nothing. */
  answer(body: unknown): CardNext {
    const request = this.#next.request;
    if (request === undefined) return this.#next;
    switch (request.op) {
      case 'transport-key':
        this.#next = this.#afterTransportKey(body);
        break;
      case 'session-keys':
        this.#next = this.#afterSessionKeys(body);
        break;
      case 'certificate':
        this.#next = this.#afterCertificate(body, request.body.path);
        break;
    }
    return this.#next;
  }

  /** The current request failed (`res` with `ok: false`): the card is given up. After the end, changes nothing. */
  failed(code: string): CardNext {
    const request = this.#next.request;
    if (request === undefined) return this.#next;
    this.#next = stop('request-failed', stepOf(request), code);
    return this.#next;
  }

  #afterTransportKey(body: unknown): CardNext {
    const answer = readTransportKeyAnswer(body);
    if (!answer.ok) return stop('bad-answer', 'transport-key', answer.detail);
    const unlocked = this.#card.unlock(answer.value.key);
    answer.value.key.fill(0);
    if (!unlocked.ok) return stop(unlocked.reason, 'transport-key');
    // INITIALIZE UPDATE before asking for the session keys: they need the card challenge.
    const drawn = this.#random(CHALLENGE);
    if (!(drawn instanceof Uint8Array) || drawn.length !== CHALLENGE) throw new RangeError(`the station's random gave no ${CHALLENGE} bytes`);
    const hostChallenge = Buffer.from(drawn);
    const init = this.#card.initializeUpdate(hostChallenge);
    if (!init.ok) return stop(init.reason, 'session-keys');
    this.#challenge = { hostChallenge, cardChallenge: init.cardChallenge, cardCryptogram: init.cardCryptogram };
    return {
      request: {
        op: 'session-keys',
        body: { csn: Buffer.from(this.#csn), hostChallenge: Buffer.from(hostChallenge), cardChallenge: Buffer.from(init.cardChallenge) },
      },
    };
  }

  #afterSessionKeys(body: unknown): CardNext {
    const answer = readSessionKeysAnswer(body);
    if (!answer.ok) return stop('bad-answer', 'session-keys', answer.detail);
    const server = answer.value;
    try {
      const challenge = this.#challenge;
      // The station does not trust a server whose card cryptogram is not the card's: it tells the card nothing more.
      if (challenge === undefined || !server.cardCryptogram.equals(challenge.cardCryptogram)) return stop('card-cryptogram', 'session-keys');
      const auth = this.#card.externalAuthenticate(server.hostCryptogram);
      if (!auth.ok) return stop(auth.reason, 'session-keys');
      const check = this.#card.sessionKeyCheck();
      if (!check.ok) return stop(check.reason, 'session-keys');
      const differ = (['sEnc', 'sMac', 'sRmac'] as const).filter((k) => !keyCheckValue(server[k]).equals(check[k]));
      if (differ.length > 0) return stop('session-key-mismatch', 'session-keys', differ.join(', '));
      return this.#nextFile();
    } finally {
      for (const b of [server.sEnc, server.sMac, server.sRmac]) b.fill(0);
    }
  }

  #afterCertificate(body: unknown, path: string): CardNext {
    const step: RunStep = `certificate ${path}`;
    const answer = readCertificateAnswer(body);
    if (!answer.ok) return stop('bad-answer', step, answer.detail);
    const spec = this.#files[this.#file];
    if (spec === undefined) return stop('out-of-order', step); // cannot happen: the request names this file
    const created = this.#card.createFile(spec.path, spec.size, spec.acl, answer.value.cert);
    if (!created.ok) return stop(created.reason, step);
    this.#file++;
    return this.#nextFile();
  }

  /** The certificate request of the next file, or, when all are created, the end of personalization. */
  #nextFile(): CardNext {
    const spec = this.#files[this.#file];
    if (spec !== undefined) {
      return { request: { op: 'certificate', body: { csn: Buffer.from(this.#csn), path: spec.path, size: spec.size, acl: Buffer.from(spec.acl) } } };
    }
    const completed = this.#card.complete();
    if (!completed.ok) return stop(completed.reason, 'complete');
    return { done: { ok: true } };
  }
}

function stop(reason: RunRejection, step: RunStep, detail?: string): CardNext {
  return { done: detail === undefined ? { ok: false, reason, step } : { ok: false, reason, step, detail } };
}

function stepOf(request: CardRequest): RunStep {
  return request.op === 'certificate' ? `certificate ${request.body.path}` : request.op;
}
