// The cryptographic ops of PROTOCOL.md 5, over a key store: the master keys
// are used only through the store's CMAC and the issuer key only through its
// signature, so a PKCS#11 token keeps them inside.
import { encodeCbor } from '../../wire/cbor.js';
import { issueCertificate } from '../crypto/certificate.js';
import { CHALLENGE_BYTES, CSN_MAX_BYTES, CSN_MIN_BYTES, sessionKeysForCard, transportKeyForCard } from '../crypto/derivations.js';
import { KeyUnavailableError, type KeyStore } from '../crypto/key-store.js';
import type { Fields } from '../../wire/fields.js';
import type { OpHandler, OpResult } from './op.js';
import { bodyFields, guarded } from './request-body.js';

const csnOf = (f: Fields): Buffer => f.required('csn', f.bytes('csn', CSN_MIN_BYTES, CSN_MAX_BYTES));

/** A key store that cannot serve now: `key-unavailable` (the data server also stops taking work). */
function keyUnavailable(e: unknown, csn?: Uint8Array): OpResult {
  if (!(e instanceof KeyUnavailableError)) throw e;
  // Stations see that the key cannot be had; which token or module failed is for the server's log.
  return { ok: false, err: { code: 'key-unavailable', msg: 'the key store cannot serve this key now' }, detail: e.message, ...(csn ? { audit: { csn } } : {}) };
}

export function cryptoOps(store: KeyStore): Map<string, OpHandler> {
  return new Map<string, OpHandler>([
    [
      'transport-key',
      (body) =>
        guarded(async () => {
          const csn = csnOf(bodyFields(body));
          try {
            return { ok: true, body: encodeCbor({ key: await transportKeyForCard(store, csn) }), audit: { csn, keyId: 'transport' } };
          } catch (e) {
            return keyUnavailable(e, csn);
          }
        }),
    ],
    [
      'session-keys',
      (body) =>
        guarded(async () => {
          const f = bodyFields(body);
          const csn = csnOf(f);
          const hostChallenge = f.required('hostChallenge', f.bytes('hostChallenge', CHALLENGE_BYTES, CHALLENGE_BYTES));
          const cardChallenge = f.required('cardChallenge', f.bytes('cardChallenge', CHALLENGE_BYTES, CHALLENGE_BYTES));
          try {
            const k = await sessionKeysForCard(store, csn, hostChallenge, cardChallenge);
            const answer = { sEnc: k.sEnc, sMac: k.sMac, sRmac: k.sRmac, cardCryptogram: k.cardCryptogram, hostCryptogram: k.hostCryptogram };
            return { ok: true, body: encodeCbor(answer), audit: { csn, keyId: 'enc+mac' } };
          } catch (e) {
            return keyUnavailable(e, csn);
          }
        }),
    ],
    [
      'certificate',
      (body) =>
        guarded(async () => {
          const f = bodyFields(body);
          const csn = csnOf(f);
          const path = f.required('path', f.text('path'));
          const size = f.required('size', f.uint('size'));
          const acl = f.required('acl', f.bytes('acl'));
          try {
            const { cert, keyId } = await issueCertificate(store, csn, path, size, acl);
            return { ok: true, body: encodeCbor({ cert, keyId }), audit: { csn, keyId } };
          } catch (e) {
            return keyUnavailable(e, csn);
          }
        }),
    ],
    [
      'issuer-key',
      () =>
        guarded(async () => {
          try {
            const { keyId, spki } = await store.issuerPublicKey();
            return { ok: true, body: encodeCbor({ keyId, spki }), audit: { keyId } };
          } catch (e) {
            return keyUnavailable(e);
          }
        }),
    ],
  ]);
}
