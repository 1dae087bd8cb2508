// Plain CBOR as PROTOCOL.md section 2 requires: no cbor-x records, no tag on
// byte strings, definite lengths. The options are explained in shared/FACTS.md.
import { Encoder, type Options } from 'cbor-x';

const codec = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
  tagUint8Array: false,
  useTag259ForMaps: false, // not in cbor-x's typings, honoured at run time
} as Options);

export function encodeCbor(value: unknown): Buffer {
  return codec.encode(value);
}

/** Decodes exactly one CBOR item; throws when the bytes are not one well-formed item. */
export function decodeCbor(bytes: Uint8Array): unknown {
  return codec.decode(bytes);
}

