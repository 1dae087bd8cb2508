// The messages of PROTOCOL.md section 2, their types and their encoding.
// Bodies stay raw CBOR (`Uint8Array` of one plain item): the router moves them,
// it never interprets them.
import { encodeCbor } from './cbor.js';

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

/**
 * Encodes a message as a plain CBOR map with its keys in the order written
 * (deterministic, so a cached answer is resent byte for byte).
 */
export function encodeMessage(message: AnyMessage): Buffer {
  const entries = Object.entries(message).filter(([, v]) => v !== undefined);
  const parts: Uint8Array[] = [mapHead(entries.length)];
  for (const [key, value] of entries) {
    parts.push(encodeCbor(key));
    parts.push(RAW_KEYS.has(key) ? (value as Uint8Array) : encodeCbor(value));
  }
  return Buffer.concat(parts);
}

function mapHead(n: number): Uint8Array {
  return n < 24 ? Uint8Array.of(0xa0 | n) : Uint8Array.of(0xb8, n);
}
