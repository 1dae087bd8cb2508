// What the status model knows about one server link, and its state rule
// (SERVER_PRECEDENCE in patterns.ts).
import type { DrainCause, LinkPhase } from '../router/events.js';
import { SERVER_PATTERNS, SERVER_PRECEDENCE } from './patterns.js';
import type { ServerState, ServerView } from './view.js';

export class ServerRecord {
  phase: LinkPhase;
  why: string | undefined;
  /** `ready` was heard on the current connection (the dispatcher's server-available). */
  ready = false;
  slots = 0;
  ops: readonly string[] = [];
  drainedBy: DrainCause | undefined;
  requests = 0;
  errors = 0;
  handshakes = 0;
  readonly drops: Record<string, number> = {};

  constructor(
    readonly name: string,
    readonly address: string,
    readonly sealed: boolean,
    phase: LinkPhase,
  ) {
    this.phase = phase;
  }

  linkChanged(phase: LinkPhase, why: string | undefined): void {
    this.phase = phase;
    this.why = why;
    if (phase !== 'open') this.ready = false;
    // A re-handshake's drain ends with the connection it was for; an operator's outlives it.
    if (phase !== 'open' && this.drainedBy === 'rehandshake') this.drainedBy = undefined;
  }

  state(busy: number): ServerState {
    const holds: Record<ServerState, () => boolean> = {
      down: () => this.phase !== 'open' && this.phase !== 'handshaking',
      handshaking: () => this.phase === 'handshaking' || !this.ready,
      draining: () => this.drainedBy !== undefined,
      busy: () => this.slots > 0 && busy >= this.slots,
      ready: () => true,
    };
    return SERVER_PRECEDENCE.find((s) => holds[s]())!;
  }

  view(busy: number): ServerView {
    const state = this.state(busy);
    return {
      name: this.name,
      address: this.address,
      sealed: this.sealed,
      state,
      pattern: SERVER_PATTERNS[state].pattern,
      ...(this.why !== undefined && state === 'down' ? { why: this.why } : {}),
      slots: this.ready ? this.slots : 0,
      busy,
      ops: [...this.ops],
      requests: this.requests,
      errors: this.errors,
      handshakes: this.handshakes,
      drops: { ...this.drops },
      ...(this.drainedBy !== undefined ? { drainedBy: this.drainedBy } : {}),
    };
  }
}
