// Which ops some server can take now, since when none could (a request
// queued all through such a stretch is answered `no-server`, not `timeout`:
// PROTOCOL.md 2.1), and what this router can lend its peers (2.2, peers),
// announced only when it changes. Pure state over the server table.
import type { ServerTable } from './server-table.js';
import type { PeerOffer } from './types.js';

export class Availability {
  /** Per op: since when no server has been available for it (absent while one is). */
  private readonly unavailableSince = new Map<string, number>();
  private lastOffer = '';

  constructor(
    private readonly servers: ServerTable,
    ops: Iterable<string>,
    startedAt: number,
  ) {
    for (const op of ops) this.unavailableSince.set(op, startedAt);
  }

  /** Since when no server could take `op`; undefined while one can. */
  unavailableSinceFor(op: string): number | undefined {
    return this.unavailableSince.get(op);
  }

  /** After any change to the servers: updates the per-op record; the new offer when it differs from the last. */
  update(ops: Iterable<string>, now: number): PeerOffer | undefined {
    for (const op of ops) {
      if (this.servers.availableFor(op)) this.unavailableSince.delete(op);
      else if (!this.unavailableSince.has(op)) this.unavailableSince.set(op, now);
    }
    const offer = this.servers.offer();
    const key = JSON.stringify(offer);
    if (key === this.lastOffer) return undefined;
    this.lastOffer = key;
    return offer;
  }
}
