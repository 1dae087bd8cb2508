// The seam between frames and messages on a server or peer link: plaintext
// (`insecure: true`), or the protected channel of PROTOCOL.md 3
// (session.ts: COSE_Encrypt0 under an OSCORE context).
import type { OpenFailure } from './seal.js';

export type UnsealResult =
  | { readonly ok: true; readonly plaintext: Uint8Array }
  /** Dropped, and why; `mustClose` once PROTOCOL.md 3's drops-in-a-row limit is reached. */
  | { readonly ok: false; readonly reason: OpenFailure; readonly mustClose: boolean; readonly inARow: number };

/** How much of its sequence space a channel has used (RFC 8613 7.2.1). */
export type SequenceState = 'fresh' | 'nearly-exhausted' | 'exhausted';

export interface Channel {
  /** Frame body for one message's plaintext CBOR. */
  seal(plaintext: Uint8Array): Uint8Array;
  unseal(body: Uint8Array): UnsealResult;
  readonly sequenceState: SequenceState;
}

export const plainChannel: Channel = {
  seal: (plaintext) => plaintext,
  unseal: (body) => ({ ok: true, plaintext: body }),
  sequenceState: 'fresh',
};
