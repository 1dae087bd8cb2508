// One station request as the dispatcher tracks it, from receipt to its answer.
import type { RawBody } from '../wire/messages.js';

/** queued -> at-server -> answered; a retry op may go at-server -> queued again. */
export type RequestState = 'queued' | 'at-server' | 'answered';

export interface Request {
  /** Arrival order across the router: first come, first served. */
  readonly seq: number;
  readonly line: string;
  readonly id: number;
  readonly op: string;
  readonly body: RawBody | undefined;
  readonly station: string;
  readonly receivedAt: number;
  readonly deadline: number;
  state: RequestState;
  /** False once the station can no longer be told (hello, id reused): the answer is dropped. */
  owned: boolean;
  /** Servers that went down holding it (2.2 rule 3), or kept refusing it: never sent back to them. */
  excluded: ReadonlySet<string>;
  /** Times a server answered it `overloaded` (it never ran there). */
  overloads: number;
  /** May go to a server: a retry op, or its fingerprint is in the journal (PROTOCOL.md 6 reading 12). */
  durable: boolean;
}

/** A request's first `excluded`: shared, since almost every request keeps it empty (a Set each was one more allocation per request). */
export const NO_SERVERS: ReadonlySet<string> = new Set();

/** `excluded` with one more server. */
export function excluding(excluded: ReadonlySet<string>, server: string): ReadonlySet<string> {
  return new Set([...excluded, server]);
}

/**
 * Same id + same op and body = a retransmission of the same request (2.1
 * rule 2). A request without a body is not the same as one with an empty body.
 */
export function sameWork(a: { readonly op: string; readonly body?: RawBody | undefined }, op: string, body: RawBody | undefined): boolean {
  if (a.op !== op) return false;
  if (a.body === undefined || body === undefined) return a.body === body;
  return Buffer.compare(a.body, body) === 0;
}
