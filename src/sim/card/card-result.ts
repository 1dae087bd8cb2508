// What a virtual card answers to each command: a result, never an exception.
// The states and the reasons are closed sets, so the station and the report
// can switch over them exhaustively.

/**
 * The card's life, one way only:
 *
 *   locked --unlock--> unlocked --initializeUpdate--> challenged
 *     --externalAuthenticate--> authenticated --createFile...--> (authenticated)
 *     --complete--> personalized
 *
 * Any refused command moves the card to `rejected`, from every state but
 * `personalized` and `rejected` themselves, and it stays there.
 */
export type CardState = 'locked' | 'unlocked' | 'challenged' | 'authenticated' | 'personalized' | 'rejected';

/** Why the card refused a command (and became `rejected`). */
export type CardRejection =
  /** unlock: the key is not the card's transport key. */
  | 'wrong-transport-key'
  /** externalAuthenticate: the host cryptogram is not the one the card computed. */
  | 'host-cryptogram'
  /** createFile: the certificate does not verify with the issuer's public key. */
  | 'bad-certificate'
  /** A command the card does not take in its current state. */
  | 'out-of-order'
  /** A command whose arguments are malformed (wrong type or length, a file without its parent...). */
  | 'bad-command';

export const CARD_REJECTIONS: readonly CardRejection[] = ['wrong-transport-key', 'host-cryptogram', 'bad-certificate', 'out-of-order', 'bad-command'];

export interface Refused {
  readonly ok: false;
  readonly reason: CardRejection;
}

/** `ok: true` and the command's outputs, or `ok: false` and why. */
export type CardResult<T extends object = object> = ({ readonly ok: true } & Readonly<T>) | Refused;

/** Injected randomness: `n` fresh random bytes (tests pass a deterministic function). */
export type RandomBytes = (n: number) => Uint8Array;
