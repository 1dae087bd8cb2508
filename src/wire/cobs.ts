// Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999), PROTOCOL.md section 1.
// The encoded form holds no 0x00, so 0x00 can end a frame.

/** Largest encoded size of `n` input bytes: one code byte per 254 data bytes, plus one. */
export function cobsMaxEncodedLength(n: number): number {
  return n + Math.ceil(n / 254) + 1;
}

export function cobsEncode(input: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(cobsMaxEncodedLength(input.length));
  let codeAt = 0;
  let code = 1;
  let o = 1;
  for (const byte of input) {
    if (byte === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
      continue;
    }
    out[o++] = byte;
    code++;
    if (code === 0xff) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    }
  }
  out[codeAt] = code;
  return out.subarray(0, o);
}

/** Decodes one COBS block (without its 0x00 delimiter); null when it is not valid COBS. */
export function cobsDecode(input: Uint8Array): Buffer | null {
  const out = Buffer.allocUnsafe(input.length);
  let i = 0;
  let o = 0;
  while (i < input.length) {
    const code = input[i++]!;
    if (code === 0) return null;
    const end = i + code - 1;
    if (end > input.length) return null;
    while (i < end) {
      const byte = input[i++]!;
      if (byte === 0) return null;
      out[o++] = byte;
    }
    // A block shorter than 254 data bytes stands for a zero, except at the very end.
    if (code !== 0xff && i < input.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}
