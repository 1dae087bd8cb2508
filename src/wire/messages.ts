// The messages of PROTOCOL.md section 2, their types and their encoding.
// Bodies stay raw CBOR (`Uint8Array` of one plain item): the router moves them,
// it never interprets them.
import { MAJOR_MAP } from './cbor-scan.js';
import { CborWriter } from './cbor-writer.js';

export type RawBody = Uint8Array;
export interface ErrorInfo {
  readonly code: string;
  readonly msg: string;
}

// 2.1 station -> router
export type StationMessage =
  | { readonly t: 'hello'; readonly v: number; readonly station?: string }
  | { readonly t: 'req'; readonly id: number; readonly op: string; readonly body?: RawBody; readonly ttl?: number }
  | { readonly t: 'ping'; readonly n: number };

// 2.1 router -> station
export type Answer =
  | { readonly t: 'res'; readonly id: number | null; readonly ok: true; readonly body: RawBody }
  | { readonly t: 'res'; readonly id: number | null; readonly ok: false; readonly err: ErrorInfo };
export type RouterToStation =
  | { readonly t: 'welcome'; readonly v: 1; readonly router: string; readonly line: string }
  | { readonly t: 'ack'; readonly id: number; readonly q: number }
  | Answer
  | { readonly t: 'pong'; readonly n: number };

// 2.2 router -> server
export type RouterToServer =
  | {
      readonly t: 'req';
      readonly id: number;
      readonly op: string;
      readonly body?: RawBody;
      readonly station: string;
      readonly ttl: number;
    }
  | { readonly t: 'ping'; readonly n: number }
  | { readonly t: 'pong'; readonly n: number };

// 2.2 server -> router
export type ServerToRouter =
  | { readonly t: 'ready'; readonly slots: number; readonly ops: readonly string[] }
  | { readonly t: 'res'; readonly id: number; readonly ok: true; readonly body: RawBody }
  | { readonly t: 'res'; readonly id: number; readonly ok: false; readonly err: ErrorInfo }
  | { readonly t: 'ping'; readonly n: number }
  | { readonly t: 'pong'; readonly n: number };

// 3 handshake, plain frames right after a protected link opens
export type Handshake =
  | { readonly t: 'open'; readonly v: 1; readonly kid: Uint8Array; readonly r: Uint8Array }
  | { readonly t: 'opened'; readonly v: 1; readonly kid: Uint8Array; readonly r: Uint8Array };

export type AnyMessage = StationMessage | RouterToStation | RouterToServer | ServerToRouter | Handshake;

/** CBOR of `null`: the body of an answer that carried none. */
export const NULL_BODY: RawBody = Uint8Array.of(0xf6);

// Keys that carry a body are spliced in as raw CBOR, never re-encoded.
const RAW_KEYS = new Set(['body']);

// One writer for every message this process encodes: messages are encoded one
// at a time, and each is copied out (or framed) before the next begins.
const writer = new CborWriter();

/**
 * The message as a plain CBOR map with its keys in the order written
 * (deterministic, so a cached answer is resent byte for byte), in the shared
 * writer: valid only until the next message is encoded. For callers that
 * consume the bytes at once (framing); `encodeMessage` gives a copy.
 */
export function encodeMessageTransient(message: AnyMessage): Buffer {
  const w = writer.reset();
  const m = message as unknown as Record<string, unknown>;
  let n = 0;
  for (const key in m) if (m[key] !== undefined) n++;
  w.head(MAJOR_MAP, n);
  for (const key in m) {
    const value = m[key];
    if (value === undefined) continue;
    w.text(key);
    if (RAW_KEYS.has(key)) w.raw(value as Uint8Array);
    else w.value(value);
  }
  return w.view();
}

/** The message as a plain CBOR map (see encodeMessageTransient), in bytes of its own. */
export function encodeMessage(message: AnyMessage): Buffer {
  return Buffer.from(encodeMessageTransient(message));
}
