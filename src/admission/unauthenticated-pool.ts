// Who waits at an accepting side's door (issue 11 item 1): connections that
// have not yet opened a sealed message are counted apart from the routers
// that proved their key, with a small cap of their own and a limit per
// source address. When the cap is full a newcomer replaces the oldest of
// them, so a client that keeps connections open can delay a real router by
// at most one handshake, never lock it out; and authenticated links never
// count here, so they are never refused because of unauthenticated ones.
// Pure: the caller closes what it is told to and says when a connection
// authenticates or closes.

export interface PoolLimits {
  /** Unauthenticated connections at once, from everyone. */
  readonly maxUnauthenticated: number;
  /** Unauthenticated connections at once from one address. */
  readonly perAddress: number;
}

export const DEFAULT_POOL_LIMITS: PoolLimits = { maxUnauthenticated: 16, perAddress: 4 };

/** What to do with a new connection: it is always let in; `evict` is to be closed first, and why. */
export interface Admission<C> {
  readonly evict?: { readonly conn: C; readonly why: 'address-full' | 'pool-full' };
}

interface Waiting<C> {
  readonly conn: C;
  readonly address: string;
}

export class UnauthenticatedPool<C> {
  /** Oldest first (a Map keeps insertion order). */
  private readonly waiting = new Map<C, Waiting<C>>();

  constructor(readonly limits: PoolLimits = DEFAULT_POOL_LIMITS) {
    if (!(limits.maxUnauthenticated >= 1 && limits.perAddress >= 1)) throw new RangeError('pool limits must be at least 1');
  }

  /**
   * A new connection from `address`. At the per-address limit it replaces
   * that address's oldest (a client only ever churns its own); else, at the
   * cap, the oldest of all.
   */
  admit(conn: C, address: string): Admission<C> {
    let evict: Admission<C>['evict'];
    const fromAddress = [...this.waiting.values()].filter((w) => w.address === address);
    if (fromAddress.length >= this.limits.perAddress) evict = { conn: fromAddress[0]!.conn, why: 'address-full' };
    else if (this.waiting.size >= this.limits.maxUnauthenticated) evict = { conn: this.waiting.values().next().value!.conn, why: 'pool-full' };
    if (evict) this.waiting.delete(evict.conn);
    this.waiting.set(conn, { conn, address });
    return evict ? { evict } : {};
  }

  /** Its first sealed message opened: it no longer counts here. */
  authenticated(conn: C): void {
    this.waiting.delete(conn);
  }

  closed(conn: C): void {
    this.waiting.delete(conn);
  }

  get size(): number {
    return this.waiting.size;
  }

  /** Unauthenticated connections from one address (for tests and status). */
  from(address: string): number {
    let n = 0;
    for (const w of this.waiting.values()) if (w.address === address) n++;
    return n;
  }
}
