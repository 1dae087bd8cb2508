// One station line's bytes <-> messages, for either protocol of the line
// (native CBOR frames, section 1-2.1; ASCII lines, section 4). The line edge
// and the simulator use only this interface.
import { formatAscii, parseAsciiLine } from './ascii.js';
import { LineEditor } from './line-editor.js';
import { encodeFrame } from './frame.js';
import { FrameReader } from './frame-reader.js';
import { encodeMessageTransient, type RouterToStation, type StationMessage } from './messages.js';
import { parseStationMessage, type Parsed } from './parse.js';

export type StationProtocol = 'native' | 'ascii';

/** Why bytes from a station were dropped; each has its own counter. */
export type DropReason = 'too-long' | 'cobs' | 'short' | 'crc' | 'cbor' | 'not-a-message' | 'unknown-type' | 'bad-field';

export type StationEvent =
  | { readonly kind: 'message'; readonly msg: StationMessage }
  /** A request the router must answer `bad-request` (PROTOCOL.md 2.1). */
  | { readonly kind: 'bad-request'; readonly id: number | null; readonly why: string }
  | { readonly kind: 'drop'; readonly reason: DropReason; readonly why?: string }
  /**
   * Bytes the line writes back to the station as they are, in order with the
   * other events: the echo of what a person typed (ASCII lines with `echo`),
   * and the answers the codec gives by itself (`HELP`, `PING` without a number).
   */
  | { readonly kind: 'write'; readonly bytes: Buffer };

export interface StationCodec {
  push(chunk: Uint8Array): StationEvent[];
  /** Bytes for one message; undefined when the protocol has no form for it. */
  encode(msg: RouterToStation): Buffer | undefined;
  /** Bytes to write when the line opens: native, a lone 0x00 (PROTOCOL.md 1); ASCII, the banner if any. */
  opening(): Buffer | undefined;
  reset(): void;
}

/** A line for people (PROTOCOL.md section 6 reading 11): echo what is typed; a banner when the line opens. */
export interface AsciiOptions {
  readonly echo: boolean;
  /** Text shown when the line opens, each of its lines as a `# ` line that station programs ignore. */
  readonly banner?: string;
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
    return encodeFrame(encodeMessageTransient(msg));
  }
  opening(): Buffer {
    return Buffer.of(0);
  }
  reset(): void {
    this.frames.reset();
  }
}

export class AsciiCodec implements StationCodec {
  private readonly editor = new LineEditor();
  constructor(private readonly options: AsciiOptions = { echo: false }) {}

  push(chunk: Uint8Array): StationEvent[] {
    const events: StationEvent[] = [];
    for (const e of this.editor.push(chunk)) {
      switch (e.kind) {
        case 'echo':
          if (this.options.echo) events.push({ kind: 'write', bytes: e.bytes });
          break;
        case 'discard':
          events.push({ kind: 'bad-request', id: null, why: 'line longer than 1024 bytes' });
          break;
        case 'line': {
          const parsed = parseAsciiLine(e.text);
          if (!parsed) break;
          if ('reply' in parsed) events.push({ kind: 'write', bytes: Buffer.from(parsed.reply, 'latin1') });
          else events.push(toEvent(parsed, () => true));
        }
      }
    }
    return events;
  }
  encode(msg: RouterToStation): Buffer {
    return Buffer.from(formatAscii(msg), 'latin1');
  }
  opening(): Buffer | undefined {
    return this.options.banner === undefined ? undefined : Buffer.from(bannerText(this.options.banner), 'latin1');
  }
  reset(): void {
    this.editor.reset();
  }
}

/** Each line of the banner as a `# ` line; the text is printable ASCII (checked in the config). */
export const bannerText = (banner: string): string =>
  banner
    .split(/\r?\n/)
    .map((l) => `# ${l}\r\n`)
    .join('');

export function stationCodec(protocol: StationProtocol, maxBody: number, ascii?: AsciiOptions): StationCodec {
  return protocol === 'ascii' ? new AsciiCodec(ascii) : new NativeCodec(maxBody);
}
