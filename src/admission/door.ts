// The door of an accepting side (the data server's TCP listener, a router's
// peer port), issue 11 item 1: connections that have not yet opened a sealed
// message wait in their own pool (unauthenticated-pool.ts: a small cap, a
// limit per address, the oldest replaced), and only connections whose router
// proved its key count against the cap of authenticated links. So
// unauthenticated clients can never fill the place of the real routers, and
// a real router always gets its turn. Pure: the owner closes what it is told.
import { DEFAULT_POOL_LIMITS, UnauthenticatedPool, type PoolLimits } from './unauthenticated-pool.js';

export interface DoorLimits extends PoolLimits {
  /** Authenticated links at once (routers, or peers). */
  readonly maxAuthenticated: number;
}

export const DEFAULT_DOOR_LIMITS: DoorLimits = { ...DEFAULT_POOL_LIMITS, maxAuthenticated: 64 };


export class Door<C> {
  private readonly pool: UnauthenticatedPool<C>;
  private readonly authenticatedLinks = new Set<C>();

  constructor(readonly limits: DoorLimits = DEFAULT_DOOR_LIMITS) {
    this.pool = new UnauthenticatedPool(limits);
  }

  /** A new connection from `address`: returns the one to close to make room, if any, and why. */
  arrived(conn: C, address: string): { conn: C; why: string } | undefined {
    const { evict } = this.pool.admit(conn, address);
    if (!evict) return undefined;
    const why =
      evict.why === 'address-full'
        ? `replaced by a newer connection from the same address (at most ${this.limits.perAddress} unauthenticated from one address)`
        : `replaced by a newer connection (at most ${this.limits.maxUnauthenticated} unauthenticated at once)`;
    return { conn: evict.conn, why };
  }

  /** Its router proved its key. False: the authenticated links are all taken, close it. */
  authenticated(conn: C): boolean {
    this.pool.authenticated(conn);
    if (this.authenticatedLinks.size >= this.limits.maxAuthenticated) return false;
    this.authenticatedLinks.add(conn);
    return true;
  }

  closed(conn: C): void {
    this.pool.closed(conn);
    this.authenticatedLinks.delete(conn);
  }

  get counts(): { unauthenticated: number; authenticated: number } {
    return { unauthenticated: this.pool.size, authenticated: this.authenticatedLinks.size };
  }
}
