// Why a station gave up on a card: a closed set, each with the sentence the
// simulator's report prints.
import type { CardRejection } from './card-result.js';

export type RunRejection =
  | CardRejection
  /** The server's card cryptogram is not the card's: wrong K-MAC (masterMac), or the answer is for another card. */
  | 'card-cryptogram'
  /** The server's S-ENC, S-MAC or S-RMAC is not the card's (e.g. a wrong masterEnc: the cryptograms use S-MAC only). */
  | 'session-key-mismatch'
  /** An answer without a field the op must return, or with a field of the wrong type or length. */
  | 'bad-answer'
  /** The request was answered with an error (`res` with `ok: false`; the code is in `detail`). */
  | 'request-failed';

export const REJECTION_SENTENCES: Readonly<Record<RunRejection, string>> = {
  'wrong-transport-key': 'the transport key did not unlock the chip',
  'card-cryptogram': "the server's card cryptogram differs from the chip's (wrong ENC/MAC keys or another card's answer)",
  'host-cryptogram': "the chip refused the server's host cryptogram",
  'session-key-mismatch': "the server's session keys differ from the chip's",
  'bad-certificate': 'the chip refused a certificate (not the issuer key, or not for this file)',
  'bad-answer': "a server answer lacked a field or had one of the wrong type or length",
  'request-failed': 'a request was answered with an error',
  'out-of-order': 'the chip refused a command in its state (a station bug)',
  'bad-command': 'the chip refused a malformed command (a station bug)',
};

export const RUN_REJECTIONS = Object.keys(REJECTION_SENTENCES) as RunRejection[];

export function describeRejection(reason: RunRejection): string {
  return REJECTION_SENTENCES[reason];
}
