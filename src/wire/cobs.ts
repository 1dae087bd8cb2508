// Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999), PROTOCOL.md section 1.
// The encoded form holds no 0x00, so 0x00 can end a frame.

/** Largest encoded size of `n` input bytes: one code byte per 254 data bytes, plus one. */
export function cobsMaxEncodedLength(n: number): number {
  return n + Math.ceil(n / 254) + 1;
}

export function cobsEncode(input: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(cobsMaxEncodedLength(input.length));
  const stuffer = new CobsStuffer(out);
  stuffer.bytes(input);
  return out.subarray(0, stuffer.end());
}

/**
 * Stuffs bytes into `out` (room for cobsMaxEncodedLength of them) as they
 * come, so a frame's body and its CRC are encoded without joining them first.
 */
export class CobsStuffer {
  private codeAt = 0;
  private code = 1;
  private o = 1;

  constructor(private readonly out: Uint8Array) {}

  byte(b: number): void {
    const out = this.out;
    if (b === 0) {
      out[this.codeAt] = this.code;
      this.codeAt = this.o++;
      this.code = 1;
      return;
    }
    out[this.o++] = b;
    if (++this.code === 0xff) {
      out[this.codeAt] = this.code;
      this.codeAt = this.o++;
      this.code = 1;
    }
  }

  bytes(input: Uint8Array): void {
    // The loop of byte(), with the state in locals: this runs once per byte of every frame sent.
    const out = this.out;
    let { codeAt, code, o } = this;
    for (let i = 0; i < input.length; i++) {
      const b = input[i]!;
      if (b === 0) {
        out[codeAt] = code;
        codeAt = o++;
        code = 1;
        continue;
      }
      out[o++] = b;
      if (++code === 0xff) {
        out[codeAt] = code;
        codeAt = o++;
        code = 1;
      }
    }
    this.codeAt = codeAt;
    this.code = code;
    this.o = o;
  }

  /** Closes the last block; returns the encoded length. */
  end(): number {
    this.out[this.codeAt] = this.code;
    return this.o;
  }
}

/** Decodes one COBS block (without its 0x00 delimiter); null when it is not valid COBS. */
export function cobsDecode(input: Uint8Array): Buffer | null {
  const out = Buffer.from(input);
  const n = cobsDecodeInPlace(out, out.length);
  return n < 0 ? null : out.subarray(0, n);
}

/**
 * Decodes the COBS block in bytes [0, length) of `bytes` over itself (the
 * decoded form is never longer, so each byte is written at or before where it
 * was read): the frame reader's own buffer, so a frame costs no allocation
 * until its body is copied out. Returns the decoded length, or -1 when the
 * block is not valid COBS.
 */
export function cobsDecodeInPlace(bytes: Uint8Array, length: number): number {
  let i = 0;
  let o = 0;
  while (i < length) {
    const code = bytes[i++]!;
    if (code === 0) return -1;
    const end = i + code - 1;
    if (end > length) return -1;
    while (i < end) {
      const byte = bytes[i++]!;
      if (byte === 0) return -1;
      bytes[o++] = byte;
    }
    // A block shorter than 254 data bytes stands for a zero, except at the very end.
    if (code !== 0xff && i < length) bytes[o++] = 0;
  }
  return o;
}
