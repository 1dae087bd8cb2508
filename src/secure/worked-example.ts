// The worked example of a sealed message for the README: every intermediate
// value of PROTOCOL.md 3 for fixed inputs, as hex. The server (kid h'02')
// seals its first message, `ready`, with piv 0; the router (kid h'01') opens it.
// Master Secret and Salt are those of RFC 8613 Appendix C.1, so a reader can
// check the HKDF step against the RFC.
import { aadArray, encStructure } from './aad.js';
import { ccmEncrypt } from './aead.js';
import { deriveContext, kdfInfo, KEY_LENGTH, linkIdContext, NONCE_LENGTH, type SecurityContext } from './context.js';
import { encodeEncrypt0 } from './cose.js';
import { aeadNonce } from './nonce.js';
import { encodePiv } from './piv.js';
import { encodeFrame } from '../wire/frame.js';
import { encodeMessage } from '../wire/messages.js';

export interface WorkedExample {
  readonly masterSecret: string;
  readonly masterSalt: string;
  readonly routerKid: string;
  readonly serverKid: string;
  readonly r1: string;
  readonly r2: string;
  /** R1 || R2. */
  readonly idContext: string;
  /** HKDF `info` for the router's key (its Sender Key, the server's Recipient Key). */
  readonly infoRouterKey: string;
  readonly infoServerKey: string;
  readonly infoCommonIv: string;
  readonly routerKey: string;
  readonly serverKey: string;
  readonly commonIv: string;
  /** CBOR of `{t: 'ready', slots: 4, ops: ['echo']}`. */
  readonly plaintext: string;
  readonly piv: string;
  readonly nonce: string;
  /** The aad_array CBOR `[1, [10], kid, piv, h'']`: external_aad is the bstr holding these bytes. */
  readonly externalAad: string;
  /** CBOR of `["Encrypt0", h'', external_aad]`. */
  readonly aad: string;
  /** AES-CCM output, ciphertext || 8-byte tag. */
  readonly ciphertext: string;
  /** `16([h'', {4: kid, 6: piv}, ciphertext])`. */
  readonly body: string;
  /** The whole frame on the wire: COBS(body || crc32) || 00 (PROTOCOL.md 1). */
  readonly frame: string;
}

export const EXAMPLE_INPUTS = {
  masterSecret: Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex'),
  masterSalt: Buffer.from('9e7ca92223786340', 'hex'),
  routerKid: Buffer.from('01', 'hex'),
  serverKid: Buffer.from('02', 'hex'),
  r1: Buffer.from('1111111111111111', 'hex'),
  r2: Buffer.from('2222222222222222', 'hex'),
} as const;

/** The two sides' contexts for the example: the router's and the server's. */
export function exampleContexts(): { router: SecurityContext; server: SecurityContext } {
  const { masterSecret, masterSalt, routerKid, serverKid, r1, r2 } = EXAMPLE_INPUTS;
  const idContext = linkIdContext(r1, r2);
  return {
    router: deriveContext({ masterSecret, masterSalt, senderId: routerKid, recipientId: serverKid, idContext }),
    server: deriveContext({ masterSecret, masterSalt, senderId: serverKid, recipientId: routerKid, idContext }),
  };
}

export function workedExample(): WorkedExample {
  const { masterSecret, masterSalt, routerKid, serverKid, r1, r2 } = EXAMPLE_INPUTS;
  const idContext = linkIdContext(r1, r2);
  const { router, server } = exampleContexts();
  const plaintext = encodeMessage({ t: 'ready', slots: 4, ops: ['echo'] });
  const piv = encodePiv(0);
  const nonce = aeadNonce(server.senderId, piv, server.commonIv);
  const external = aadArray(server.senderId, piv);
  const aad = encStructure(external);
  const ciphertext = ccmEncrypt(server.senderKey, nonce, aad, plaintext);
  const body = encodeEncrypt0(server.senderId, piv, ciphertext);
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  return {
    masterSecret: hex(masterSecret),
    masterSalt: hex(masterSalt),
    routerKid: hex(routerKid),
    serverKid: hex(serverKid),
    r1: hex(r1),
    r2: hex(r2),
    idContext: hex(idContext),
    infoRouterKey: hex(kdfInfo(routerKid, idContext, 'Key', KEY_LENGTH)),
    infoServerKey: hex(kdfInfo(serverKid, idContext, 'Key', KEY_LENGTH)),
    infoCommonIv: hex(kdfInfo(new Uint8Array(0), idContext, 'IV', NONCE_LENGTH)),
    routerKey: hex(router.senderKey),
    serverKey: hex(server.senderKey),
    commonIv: hex(server.commonIv),
    plaintext: hex(plaintext),
    piv: hex(piv),
    nonce: hex(nonce),
    externalAad: hex(external),
    aad: hex(aad),
    ciphertext: hex(ciphertext),
    body: hex(body),
    frame: hex(encodeFrame(body)),
  };
}
