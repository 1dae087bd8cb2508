// Both ends of every server and peer link share this: bytes -> frame ->
// unseal -> message, or a typed drop; and message -> seal -> frame. The router's
// end (server-link.ts) and the accepting end (accepted-link.ts) differ only in
// which messages they parse and what they do with them. Pure: no stream here.
import type { Channel, SequenceState } from '../secure/channel.js';
import type { OpenFailure } from '../secure/seal.js';
import { encodeFrame, type DiscardReason } from '../wire/frame.js';
import { FrameReader } from '../wire/frame-reader.js';
import { encodeMessageTransient, type Handshake } from '../wire/messages.js';
import type { Parsed, Problem } from '../wire/parse.js';

/** Every reason a link drops a frame or a message, counted under these names on both ends. */
export type LinkDropReason = DiscardReason | OpenFailure | Problem['kind'] | 'before-handshake';

export type LinkInput<M> =
  | { readonly kind: 'message'; readonly msg: M }
  /** A frame while no channel is set: a plaintext handshake message (PROTOCOL.md 3), or garbage. */
  | { readonly kind: 'handshake'; readonly body: Buffer }
  /** Unsealed, but not a message this end takes: `problem` says why (a `req` with an id is owed an answer). */
  | { readonly kind: 'bad'; readonly problem: Problem }
  /** A frame that did not unseal: `body` is kept so an accepting end may read it as a new `open`. */
  | { readonly kind: 'unsealable'; readonly reason: OpenFailure; readonly mustClose: boolean; readonly inARow: number; readonly body: Buffer }
  | { readonly kind: 'discard'; readonly reason: DiscardReason };

export class LinkCore<M> {
  private readonly reader: FrameReader;
  private channel: Channel | undefined;

  constructor(
    maxBody: number,
    private readonly parse: (plaintext: Uint8Array) => Parsed<M>,
  ) {
    this.reader = new FrameReader(maxBody);
  }

  /** The channel messages go through after the handshake (or plaintext at once); undefined: handshake frames only. */
  use(channel: Channel | undefined): void {
    this.channel = channel;
  }

  get hasChannel(): boolean {
    return this.channel !== undefined;
  }

  get sequenceState(): SequenceState {
    return this.channel?.sequenceState ?? 'fresh';
  }

  /** One message, sealed and framed; undefined before a channel is set. */
  encode(msg: Parameters<typeof encodeMessageTransient>[0]): Buffer | undefined {
    return this.channel && encodeFrame(this.channel.seal(encodeMessageTransient(msg)));
  }

  /** A handshake message travels in plaintext (PROTOCOL.md 3). */
  encodeHandshake(msg: Handshake): Buffer {
    return encodeFrame(encodeMessageTransient(msg));
  }

  /**
   * The inputs in a chunk, in order, one at a time: each frame is unsealed
   * only when the caller asks for it, so a handshake finished by one frame
   * already applies to the next frame of the same chunk (a server's `opened`
   * and its sealed `ready` often arrive together). A caller that closes the
   * link on one input stops asking.
   */
  *push(chunk: Uint8Array): Generator<LinkInput<M>> {
    for (const event of this.reader.push(chunk)) {
      if (event.kind === 'discard') {
        yield { kind: 'discard', reason: event.reason };
        continue;
      }
      if (!this.channel) {
        yield { kind: 'handshake', body: event.body };
        continue;
      }
      const opened = this.channel.unseal(event.body);
      if (!opened.ok) {
        yield { kind: 'unsealable', reason: opened.reason, mustClose: opened.mustClose, inARow: opened.inARow, body: event.body };
        continue;
      }
      const parsed = this.parse(opened.plaintext);
      yield parsed.ok ? { kind: 'message', msg: parsed.msg } : { kind: 'bad', problem: parsed.problem };
    }
  }
}
