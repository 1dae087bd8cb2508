// One station request as the dispatcher tracks it, from receipt to its answer.
import { encodeCbor } from '../wire/cbor.js';
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
  readonly fingerprint: Buffer;
  readonly station: string;
  readonly receivedAt: number;
  readonly deadline: number;
  state: RequestState;
  /** False once the station can no longer be told (hello, id reused): the answer is dropped. */
  owned: boolean;
  /** Servers that went down holding it (2.2 rule 3), or kept refusing it: never sent back to them. */
  readonly excluded: Set<string>;
  /** Times a server answered it `overloaded` (it never ran there). */
  overloads: number;
  /** May go to a server: a retry op, or its fingerprint is in the journal (PROTOCOL.md 6 reading 12). */
  durable: boolean;
}

/** Same id + same fingerprint = a retransmission of the same request (2.1 rule 2). */
export function fingerprint(op: string, body: RawBody | undefined): Buffer {
  const opBytes = encodeCbor(op);
  return body === undefined ? Buffer.concat([opBytes, Buffer.of(0)]) : Buffer.concat([opBytes, Buffer.of(1), body]);
}
