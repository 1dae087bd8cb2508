// Finds frame boundaries in a byte stream (PROTOCOL.md section 1). It never
// holds more than one maximal encoded frame: a longer run is dropped up to the
// next 0x00, so garbage costs a counter, never memory or the next frame.
import { cobsMaxEncodedLength } from './cobs.js';
import { decodeFrameInPlace, type DiscardReason } from './frame.js';

export type FrameEvent =
  | { readonly kind: 'frame'; readonly body: Buffer }
  | { readonly kind: 'discard'; readonly reason: DiscardReason };

type State = 'collecting' | 'skipping';

export class FrameReader {
  private readonly buffer: Buffer;
  private length = 0;
  private state: State = 'collecting';

  constructor(private readonly maxBody: number) {
    if (!Number.isInteger(maxBody) || maxBody < 1) throw new RangeError(`maxBody must be a positive integer, got ${maxBody}`);
    this.buffer = Buffer.alloc(cobsMaxEncodedLength(maxBody + 4));
  }

  /** Bytes of a partial frame held now; never more than `capacity`. */
  get heldBytes(): number {
    return this.length;
  }

  /** The one buffer's size, fixed at construction: the most a reader ever holds. */
  get capacity(): number {
    return this.buffer.length;
  }

  /** Feeds a chunk; returns the frames and discards it completed, in order. */
  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    let start = 0;
    while (start < chunk.length) {
      const zero = chunk.indexOf(0, start);
      const end = zero === -1 ? chunk.length : zero;
      this.take(chunk, start, end);
      if (zero === -1) break;
      const event = this.finish();
      if (event) events.push(event);
      start = zero + 1;
    }
    return events;
  }

  /** Forgets a partial frame, as when the line is reopened. */
  reset(): void {
    this.length = 0;
    this.state = 'collecting';
  }

  private take(chunk: Uint8Array, from: number, to: number): void {
    if (this.state === 'skipping' || from === to) return;
    const n = to - from;
    if (this.length + n > this.buffer.length) {
      this.state = 'skipping';
      this.length = 0;
      return;
    }
    // A frame of a few dozen bytes is copied faster by hand than through a view and set().
    if (n > 64) this.buffer.set(chunk.subarray(from, to), this.length);
    else for (let i = 0; i < n; i++) this.buffer[this.length + i] = chunk[from + i]!;
    this.length += n;
  }

  private finish(): FrameEvent | undefined {
    const state = this.state;
    const length = this.length;
    this.reset();
    if (state === 'skipping') return { kind: 'discard', reason: 'too-long' };
    if (length === 0) return undefined; // an empty frame only resynchronises
    // Decoded over the reader's own buffer; the body is a view into it, so it is copied out.
    const result = decodeFrameInPlace(this.buffer, length, this.maxBody);
    return result.ok
      ? { kind: 'frame', body: Buffer.from(result.body) }
      : { kind: 'discard', reason: result.reason };
  }
}
