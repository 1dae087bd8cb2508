// Signing and checking a checkpoint line (format.ts): Ed25519 over the
// context prefix and the line without its `sig` member.
import { sign, verify, type KeyObject } from 'node:crypto';
import { CHECKPOINT_CONTEXT, checkpointUnsigned, withSignature, type AuditCheckpoint } from './format.js';

function message(signed: string): Buffer {
  return Buffer.from(CHECKPOINT_CONTEXT + signed, 'utf8');
}

/** The complete checkpoint line, signed with `privateKey`. */
export function signedCheckpointLine(fields: Omit<AuditCheckpoint, 'sig'>, privateKey: KeyObject): string {
  const unsigned = checkpointUnsigned(fields);
  return withSignature(unsigned, sign(null, message(unsigned), privateKey).toString('base64'));
}

/** Whether `sig` is the signature of `signed` (a line without its `sig` member). */
export function checkpointSignatureValid(signed: string, sig: Buffer, publicKey: KeyObject): boolean {
  if (sig.length !== 64) return false;
  try {
    return verify(null, message(signed), publicKey, sig);
  } catch {
    return false;
  }
}
