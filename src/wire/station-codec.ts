// One station line's bytes <-> messages, for either protocol of the line
// (native CBOR frames, section 1-2.1; ASCII lines, section 4). The line edge
// and the simulator use only this interface.
import { AsciiLineReader, formatAscii, parseAsciiLine } from './ascii.js';
import { encodeFrame } from './frame.js';
import { FrameReader } from './frame-reader.js';
import { encodeMessage, type RouterToStation, type StationMessage } from './messages.js';
import { parseStationMessage, type Parsed } from './parse.js';

export type StationProtocol = 'native' | 'ascii';

/** Why bytes from a station were dropped; each has its own counter. */
export type DropReason = 'too-long' | 'cobs' | 'short' | 'crc' | 'cbor' | 'not-a-message' | 'unknown-type' | 'bad-field';

export type StationEvent =
  | { readonly kind: 'message'; readonly msg: StationMessage }
  /** A request the router must answer `bad-request` (PROTOCOL.md 2.1). */
  | { readonly kind: 'bad-request'; readonly id: number | null; readonly why: string }
  | { readonly kind: 'drop'; readonly reason: DropReason; readonly why?: string };

export interface StationCodec {
  push(chunk: Uint8Array): StationEvent[];
  /** Bytes for one message; undefined when the protocol has no form for it. */
  encode(msg: RouterToStation): Buffer | undefined;
  reset(): void;
}

/**
 * A malformed request is answered `bad-request` (2.1; on ASCII every malformed
 * line is, section 4); a malformed hello or ping is only counted.
 */
function toEvent(parsed: Parsed<StationMessage>, answersBadField: (t: string) => boolean): StationEvent {
  if (parsed.ok) return { kind: 'message', msg: parsed.msg };
  const p = parsed.problem;
  switch (p.kind) {
    case 'bad-field':
      return answersBadField(p.t) ? { kind: 'bad-request', id: p.id, why: p.why } : { kind: 'drop', reason: 'bad-field', why: p.why };
    case 'unknown-type':
      return { kind: 'drop', reason: 'unknown-type', why: `t '${p.t.slice(0, 20)}'` };
    case 'not-a-message':
      return { kind: 'drop', reason: 'not-a-message', why: p.why };
  }
}

export class NativeCodec implements StationCodec {
  private readonly frames: FrameReader;
  constructor(maxBody: number) {
    this.frames = new FrameReader(maxBody);
  }
  push(chunk: Uint8Array): StationEvent[] {
    return this.frames.push(chunk).map((e) => (e.kind === 'discard' ? { kind: 'drop', reason: e.reason } : toEvent(parseStationMessage(e.body), (t) => t === 'req')));
  }
  encode(msg: RouterToStation): Buffer {
    return encodeFrame(encodeMessage(msg));
  }
  reset(): void {
    this.frames.reset();
  }
}

export class AsciiCodec implements StationCodec {
  private readonly lines = new AsciiLineReader();
  push(chunk: Uint8Array): StationEvent[] {
    const events: StationEvent[] = [];
    for (const e of this.lines.push(chunk)) {
      if (e.kind === 'discard') {
        events.push({ kind: 'bad-request', id: null, why: 'line longer than 1024 bytes' });
        continue;
      }
      const parsed = parseAsciiLine(e.text);
      if (parsed) events.push(toEvent(parsed, () => true));
    }
    return events;
  }
  encode(msg: RouterToStation): Buffer | undefined {
    const text = formatAscii(msg);
    return text === undefined ? undefined : Buffer.from(text, 'latin1');
  }
  reset(): void {
    this.lines.reset();
  }
}

export function stationCodec(protocol: StationProtocol, maxBody: number): StationCodec {
  return protocol === 'ascii' ? new AsciiCodec() : new NativeCodec(maxBody);
}
