// The router's one status seam: everything a view (front panel, status page,
// metrics, health) may know about a running router comes through here, as
// events in the order they happened plus a snapshot to start from. No view
// reads the router's lines, links or dispatcher directly.
import type { Note, Snapshot } from '../dispatch/types.js';

/** A station line's port: not yet started, being opened, open, or waiting to reopen (device missing or failed). */
export type LinePhase = 'stopped' | 'opening' | 'open' | 'waiting';
/** A server link: connecting (TCP/serial), handshaking (sealed), open (carries messages), waiting to reconnect. */
export type LinkPhase = 'stopped' | 'connecting' | 'handshaking' | 'open' | 'waiting';
/** The router as a whole. `running` once every line and link has been started. */
export type RouterPhase = 'starting' | 'running' | 'stopping' | 'stopped';

/** Who set a server draining: an operator (status page, CLI), or the link's own re-handshake. */
export type DrainCause = 'operator' | 'rehandshake';

export type RouterEvent =
  | { readonly kind: 'router'; readonly phase: RouterPhase }
  | { readonly kind: 'line'; readonly line: string; readonly phase: LinePhase; readonly why?: string }
  | { readonly kind: 'link'; readonly server: string; readonly phase: LinkPhase; readonly why?: string }
  /** A station said `hello` (its name as it gave it, if it did: display only, never a metric label). */
  | { readonly kind: 'station'; readonly line: string; readonly station?: string }
  /** Bytes read from or written to a station line (one event per chunk or frame). */
  | { readonly kind: 'traffic'; readonly line: string; readonly direction: 'in' | 'out'; readonly bytes: number }
  | { readonly kind: 'line-drop'; readonly line: string; readonly reason: string }
  | { readonly kind: 'link-drop'; readonly server: string; readonly reason: string }
  /** A sealed link completed a handshake. */
  | { readonly kind: 'handshake'; readonly server: string }
  | { readonly kind: 'drain'; readonly server: string; readonly draining: boolean; readonly cause: DrainCause; readonly by?: string }
  /** A dispatcher decision (queued, dispatched, answered, rejected, server-available, server-down, ...). */
  | { readonly kind: 'note'; readonly note: Note };

/** What the router is made of and where it stands, for a view that starts late. */
export interface RouterSnapshot {
  readonly router: string;
  readonly phase: RouterPhase;
  readonly lines: readonly { readonly name: string; readonly path: string; readonly protocol: string; readonly phase: LinePhase; readonly station?: string }[];
  readonly servers: readonly {
    readonly name: string;
    readonly address: string;
    readonly sealed: boolean;
    readonly phase: LinkPhase;
    readonly drainedBy?: DrainCause;
  }[];
  /** Ops whose ok answer counts one card (config `startsCard: true`). */
  readonly cardOps: readonly string[];
  /** The dispatcher's own view: queue by op, slots, requests in flight per line. */
  readonly dispatch: Snapshot;
}

export type RouterEventListener = (event: RouterEvent, now: number) => void;
