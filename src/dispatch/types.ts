// What the dispatcher is told and what it asks the edges to do. It performs
// no I/O: every call returns the effects for the caller to carry out.
import type { RouterToServer, RouterToStation } from '../wire/messages.js';
import type { JournalFingerprint } from './journal-fingerprint.js';

/** The error codes the router itself produces (PROTOCOL.md 2.1). */
export type RouterErrorCode = 'bad-request' | 'unknown-op' | 'timeout' | 'overloaded' | 'server-lost' | 'no-server';

export interface OpPolicy {
  readonly ttlMs: number;
  /** Idempotent ops may be sent again to another server when theirs goes down (2.2 rule 3). */
  readonly retry: boolean;
  /** An ok answer to this op counts one card made (statistics only; `startsCard: true` in the config). */
  readonly startsCard?: boolean;
}

/** What this router lends to its peers (PROTOCOL.md 2.2, peers): the ops its servers serve now. */
export interface PeerOffer {
  readonly ops: readonly string[];
  readonly anyAvailable: boolean;
}

export type Effect =
  | { readonly kind: 'to-station'; readonly line: string; readonly msg: RouterToStation }
  /** A peer router's answer: only `res` has a peer form (peers get no acks). */
  | { readonly kind: 'to-peer'; readonly peer: string; readonly msg: Extract<RouterToStation, { t: 'res' }> }
  | { readonly kind: 'to-server'; readonly server: string; readonly msg: RouterToServer }
  /** The server holds a request well past its ttl: its answer was lost or it hangs. Reset its link. */
  | { readonly kind: 'reset-server'; readonly server: string; readonly why: string }
  /** The server drained for a re-handshake is idle (or waited long enough): reconnect it now. */
  | { readonly kind: 'rehandshake-now'; readonly server: string }
  | { readonly kind: 'offer-changed'; readonly offer: PeerOffer }
  /** Make this request's fingerprint durable, then call `journaled(seq)` (or `journalFailed`). */
  | { readonly kind: 'journal'; readonly seq: number; readonly fp: JournalFingerprint; readonly ttlMs: number }
  /** A hello: the journal forgets the line's ids, across restarts too. */
  | { readonly kind: 'journal-forget'; readonly line: string }
  | { readonly kind: 'note'; readonly note: Note };

/** Things worth a log line or a statistic; never body bytes. */
export type Note =
  /** A request joined the arrival queue: its station now waits for a server. */
  | { readonly event: 'queued'; readonly line: string; readonly id: number; readonly op: string; readonly ahead: number }
  | { readonly event: 'dispatched'; readonly line: string; readonly id: number; readonly op: string; readonly server: string; readonly waitMs: number }
  | { readonly event: 'answered'; readonly line: string; readonly id: number; readonly op: string; readonly outcome: 'ok' | string; readonly totalMs: number }
  | { readonly event: 'rejected'; readonly line: string; readonly id: number | null; readonly op?: string; readonly code: RouterErrorCode; readonly why: string }
  | { readonly event: 'retransmission'; readonly line: string; readonly id: number; readonly from: 'in-flight' | 'cache' }
  | { readonly event: 'requeued'; readonly line: string; readonly id: number; readonly op: string; readonly server: string }
  | { readonly event: 'dropped'; readonly line: string; readonly id: number; readonly op: string; readonly why: 'line-down' | 'hello' | 'id-reused' | 'forgotten' | 'line-removed' }
  | { readonly event: 'late-answer'; readonly server: string; readonly why: 'already-answered' | 'unknown-id' }
  | { readonly event: 'server-available'; readonly server: string; readonly slots: number; readonly ops: readonly string[] }
  | { readonly event: 'server-down'; readonly server: string; readonly held: number };

/** Who sends requests on a line: a station on a serial line, or a peer router on the peer port. */
export type RequesterKind = 'station' | 'peer';

export interface LineOptions {
  readonly maxOutstanding: number;
  readonly kind?: RequesterKind;
  /** Static binding: the only servers this line's requests may go to; any server when absent. */
  readonly servers?: ReadonlySet<string>;
}

export interface Snapshot {
  readonly queued: ReadonlyMap<string, number>;
  readonly servers: readonly { name: string; available: boolean; draining: boolean; slots: number; busy: number; ops: readonly string[] }[];
  readonly lines: readonly { name: string; up: boolean; inFlight: number }[];
}
