// The additional authenticated data (PROTOCOL.md 3, RFC 8613 section 5.4,
// RFC 9052 section 5.3):
//
//   aad_array    = [oscore_version: 1, algorithms: [10], request_kid: bstr,
//                   request_piv: bstr, options: bstr]
//   external_aad = bstr .cbor aad_array
//   AAD          = CBOR of Enc_structure ["Encrypt0", protected: h'', external_aad]
//
// PROTOCOL.md 3 has no requests and responses, only messages each carrying its
// own kid and piv, so request_kid / request_piv are the sender's own `kid`
// and `piv`. There are no CoAP options: `options` is h'' (RFC 8613 5.4 with
// no Class I options). The protected header is empty (all headers travel
// unprotected, as in OSCORE; the AAD authenticates them instead).
import { encodeCbor } from '../wire/cbor.js';
import { AEAD_ALG } from './context.js';

export const OSCORE_VERSION = 1;

/** CBOR of `aad_array` for a message with this kid and Partial IV. */
export function aadArray(kid: Uint8Array, piv: Uint8Array): Buffer {
  return encodeCbor([OSCORE_VERSION, [AEAD_ALG], Buffer.from(kid), Buffer.from(piv), Buffer.alloc(0)]);
}

/** CBOR of the COSE Enc_structure `["Encrypt0", h'', external_aad]`; `external_aad` is the aad_array bytes. */
export function encStructure(aadArrayBytes: Uint8Array): Buffer {
  return encodeCbor(['Encrypt0', Buffer.alloc(0), Buffer.from(aadArrayBytes)]);
}

/** The AEAD additional data of a sealed message. */
export function additionalData(kid: Uint8Array, piv: Uint8Array): Buffer {
  return encStructure(aadArray(kid, piv));
}
