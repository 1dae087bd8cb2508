// The handshake of a protected link (PROTOCOL.md 3): `open` from the router,
// `opened` from the server, each with 8 random bytes; both sides then derive
// the OSCORE context with ID Context = R1 || R2, so a context is never
// reused across connections. Pure: randomness comes in as bytes.
import type { LinkKeys } from '../keys/link-key-file.js';
import { deriveContext, HANDSHAKE_RANDOM_LENGTH, linkIdContext } from './context.js';
import { SecureSession } from './session.js';
import type { Handshake } from '../wire/messages.js';

export { HANDSHAKE_RANDOM_LENGTH };

export type HandshakeResult = { readonly ok: true; readonly session: SecureSession } | { readonly ok: false; readonly why: string };

const hex = (b: Uint8Array): string => (b.length === 0 ? "h''" : `h'${Buffer.from(b).toString('hex')}'`);

function session(keys: LinkKeys, r1: Uint8Array, r2: Uint8Array): SecureSession {
  return new SecureSession(
    deriveContext({
      masterSecret: keys.masterSecret,
      masterSalt: keys.masterSalt,
      senderId: keys.senderId,
      recipientId: keys.recipientId,
      idContext: linkIdContext(r1, r2),
    }),
  );
}

/** The router's first frame on a protected link. */
export function openMessage(keys: LinkKeys, r1: Uint8Array): Handshake {
  return { t: 'open', v: 1, kid: keys.senderId, r: r1 };
}

/** The router, on the server's `opened`: a kid other than the key file's Recipient ID closes the link. */
export function finishAsRouter(keys: LinkKeys, r1: Uint8Array, reply: Handshake): HandshakeResult {
  if (reply.t !== 'opened') return { ok: false, why: `expected 'opened', got '${reply.t}'` };
  if (!Buffer.from(reply.kid).equals(keys.recipientId)) {
    return { ok: false, why: `the server's kid ${hex(reply.kid)} is not the recipientId ${hex(keys.recipientId)} of the key file` };
  }
  return { ok: true, session: session(keys, r1, reply.r) };
}

/**
 * The accepting side, on an `open`: finds the key file whose Recipient ID is
 * the router's kid (a peer port has one per peer), answers `opened`.
 */
export function answerAsServer<K extends { readonly keys: LinkKeys }>(
  candidates: readonly K[],
  open: Handshake,
  r2: Uint8Array,
): { ok: true; who: K; reply: Handshake; session: SecureSession } | { ok: false; why: string } {
  if (open.t !== 'open') return { ok: false, why: `expected 'open', got '${open.t}'` };
  const who = candidates.find((c) => c.keys.recipientId.equals(Buffer.from(open.kid)));
  if (!who) return { ok: false, why: `no key file has recipientId ${hex(open.kid)} (the router's kid)` };
  return { ok: true, who, reply: { t: 'opened', v: 1, kid: who.keys.senderId, r: r2 }, session: session(who.keys, open.r, r2) };
}
