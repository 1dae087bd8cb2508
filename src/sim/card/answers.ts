// Reading the data server's answers (PROTOCOL.md 5) as a station receives
// them: a decoded CBOR map, as a plain object (cbor-x with mapsAsObjects) or a
// Map with text keys, byte strings as Buffer or Uint8Array. Nothing here
// trusts the body or throws: a missing or ill-typed field is reported.

export type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly detail: string };

function field(body: unknown, key: string): unknown {
  if (body instanceof Map) return body.get(key);
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body instanceof Uint8Array) return undefined;
  return Object.hasOwn(body, key) ? (body as Record<string, unknown>)[key] : undefined;
}

function isMap(body: unknown): boolean {
  return body instanceof Map || (typeof body === 'object' && body !== null && !Array.isArray(body) && !(body instanceof Uint8Array));
}

type Bytes<K extends string> = Record<K, Buffer>;

/** Byte-string fields, each of one of the allowed lengths. */
function readBytes<K extends string>(body: unknown, spec: Readonly<Record<K, readonly number[]>>): Read<Bytes<K>> {
  if (!isMap(body)) return { ok: false, detail: 'the answer is not a map' };
  const out: Partial<Bytes<K>> = {};
  for (const key of Object.keys(spec) as K[]) {
    const v = field(body, key);
    if (!(v instanceof Uint8Array)) return { ok: false, detail: `'${key}' is ${v === undefined ? 'missing' : 'not a byte string'}` };
    const lengths = spec[key];
    if (!lengths.includes(v.length)) return { ok: false, detail: `'${key}' has ${v.length} bytes, not ${lengths.join(' or ')}` };
    out[key] = Buffer.from(v);
  }
  return { ok: true, value: out as Bytes<K> };
}

/** `transport-key`: { key: 16 bytes }. */
export function readTransportKeyAnswer(body: unknown): Read<{ key: Buffer }> {
  return readBytes(body, { key: [16] });
}

export interface SessionKeysAnswer {
  readonly sEnc: Buffer;
  readonly sMac: Buffer;
  readonly sRmac: Buffer;
  readonly cardCryptogram: Buffer;
  readonly hostCryptogram: Buffer;
}

/** `session-keys`: sEnc, sMac, sRmac of 16 or 32 bytes (all the same), the cryptograms of 8 bytes. */
export function readSessionKeysAnswer(body: unknown): Read<SessionKeysAnswer> {
  const r = readBytes(body, { sEnc: [16, 32], sMac: [16, 32], sRmac: [16, 32], cardCryptogram: [8], hostCryptogram: [8] });
  if (!r.ok) return r;
  const { sEnc, sMac, sRmac } = r.value;
  if (sMac.length !== sEnc.length || sRmac.length !== sEnc.length) return { ok: false, detail: 'sEnc, sMac and sRmac differ in length' };
  return r;
}

/** `certificate`: { cert: 64 bytes, keyId: text }; keyId is informative and may be absent. */
export function readCertificateAnswer(body: unknown): Read<{ cert: Buffer; keyId: string | undefined }> {
  const r = readBytes(body, { cert: [64] });
  if (!r.ok) return r;
  const keyId = field(body, 'keyId');
  if (keyId !== undefined && typeof keyId !== 'string') return { ok: false, detail: "'keyId' is not text" };
  return { ok: true, value: { cert: r.value.cert, keyId } };
}
