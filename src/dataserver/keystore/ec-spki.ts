// The DER SubjectPublicKeyInfo (RFC 5480) of a P-256 key from its PKCS#11
// attributes: CKA_EC_PARAMS (the DER of the curve's OID) and CKA_EC_POINT
// (the DER OCTET STRING around the uncompressed point 04 || X || Y, PKCS#11
// 2.40 section 2.3.3; some modules give the bare point).

/** DER of the OID prime256v1 / secp256r1, 1.2.840.10045.3.1.7: the CKA_EC_PARAMS of a P-256 key. */
export const P256_EC_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');
/** DER of the OID id-ecPublicKey, 1.2.840.10045.2.1. */
const EC_PUBLIC_KEY_OID = Buffer.from('06072a8648ce3d0201', 'hex');
/** An uncompressed P-256 point: 04 || X (32 bytes) || Y (32 bytes). */
export const P256_POINT_BYTES = 65;

/** The bare uncompressed point from a CKA_EC_POINT value (DER OCTET STRING or bare). Throws RangeError when it is neither. */
export function ecPointFromAttribute(attr: Uint8Array): Buffer {
  const b = Buffer.from(attr);
  if (b.length === P256_POINT_BYTES + 2 && b[0] === 0x04 && b[1] === P256_POINT_BYTES && b[2] === 0x04) return b.subarray(2);
  if (b.length === P256_POINT_BYTES && b[0] === 0x04) return b;
  throw new RangeError(`CKA_EC_POINT is not an uncompressed P-256 point (${b.length} bytes)`);
}

/** The CKA_EC_POINT value for an uncompressed point: the DER OCTET STRING around it. */
export function ecPointAttribute(point: Uint8Array): Buffer {
  if (point.length !== P256_POINT_BYTES || point[0] !== 0x04) throw new RangeError('an uncompressed P-256 point has 65 bytes starting 04');
  return Buffer.concat([Buffer.from([0x04, P256_POINT_BYTES]), point]);
}

function der(tag: number, content: Buffer): Buffer {
  // Every length here is below 128: the short form.
  if (content.length > 0x7f) throw new RangeError('DER content too long for this encoder');
  return Buffer.concat([Buffer.from([tag, content.length]), content]);
}

/** The DER SubjectPublicKeyInfo of a P-256 key; throws RangeError when the parameters are not P-256's named curve. */
export function p256Spki(ecParams: Uint8Array, ecPointAttr: Uint8Array): Buffer {
  if (!Buffer.from(ecParams).equals(P256_EC_PARAMS)) throw new RangeError('CKA_EC_PARAMS is not the named curve P-256 (prime256v1)');
  const point = ecPointFromAttribute(ecPointAttr);
  const algorithm = der(0x30, Buffer.concat([EC_PUBLIC_KEY_OID, P256_EC_PARAMS]));
  const subjectPublicKey = der(0x03, Buffer.concat([Buffer.from([0x00]), point])); // BIT STRING, 0 unused bits
  return der(0x30, Buffer.concat([algorithm, subjectPublicKey]));
}
