// The cascade (PROTOCOL.md 2.2, peers): this router offers a TCP port where
// other routers connect as to a data server. Their requests join this
// router's dispatcher like a station's, on one pseudo-line per peer, with
// the peer's own `station` value; this router announces the ops its own
// servers serve and the slots it lends (0 while none of them is available).
import { createServer, type Server, type Socket } from 'node:net';
import type { PeerConfig, PeerPortConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { Door } from '../admission/door.js';
import { AcceptedLink, type AcceptSecurity, type Work } from '../links/accepted-link.js';
import type { LinkKeys } from '../keys/link-key-file.js';
import type { RouterToStation } from '../wire/messages.js';
import type { PeerOffer } from '../dispatch/types.js';
import type { Scheduler, Timer } from '../machines/scheduler.js';
import { failed, freshBackoff, type Backoff } from '../machines/reconnect.js';
import { LINK_BACKOFF } from '../machines/link-machine.js';

export interface PeerPortHooks {
  lineUp(line: string): void;
  lineDown(line: string): void;
  /** Forget the line's request ids and answers (a new connection, or none). */
  forget(line: string): void;
  request(line: string, work: Work): void;
}

const PEER_LINE_PREFIX = 'peer:';
export const peerLineName = (peer: string): string => `${PEER_LINE_PREFIX}${peer}`;

/** A backstop on open sockets only; who may stay is the door's business (admission/door.ts). */
const MAX_CONNECTIONS = 256;

const isLoopbackAddress = (a: string | undefined): boolean => a === '::1' || a === '::ffff:127.0.0.1' || (a?.startsWith('127.') ?? false);

export class PeerPort {
  private readonly door = new Door<PeerLink>();
  private server: Server | undefined;
  private closed = false;
  private retry: Timer | undefined;
  private readonly links = new Map<string, PeerLink>();
  /** The `ready` each connection last heard, so a change is announced once. */
  private readonly offered = new Map<PeerLink, string>();
  /** What this router lends now (the dispatcher announces changes). */
  private offer: PeerOffer = { ops: [], anyAvailable: false };

  constructor(
    private readonly config: PeerPortConfig,
    private readonly hooks: PeerPortHooks,
    private readonly log: Logger,
  ) {}

  /** The pseudo-lines the dispatcher needs, one per configured peer. */
  get lineNames(): string[] {
    return this.config.peers.map((p) => peerLineName(p.name));
  }

  /**
   * Binds the port; an address that is taken (another process, a restart
   * too soon) is tried again with the links' backoff, reported once at
   * error and then quietly. Resolves with the port, or undefined if closed first.
   */
  listenUntilBound(scheduler: Scheduler): Promise<number | undefined> {
    return new Promise((resolve) => {
      const attempt = (backoff: Backoff): void => {
        this.listen().then(resolve, (e: NodeJS.ErrnoException) => {
          if (this.closed) return resolve(undefined);
          const { delayMs, backoff: next } = failed(backoff, LINK_BACKOFF);
          this.log[next.failures === 1 ? 'error' : 'debug']('peers.cannot-listen', { address: `${this.config.host}:${this.config.port}`, error: e.code ?? e.message, retryInMs: delayMs });
          this.retry = scheduler.after(delayMs, () => (this.closed ? resolve(undefined) : attempt(next)));
        });
      };
      attempt(freshBackoff(LINK_BACKOFF));
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.accept(socket));
      // Peers are a handful of routers; the door keeps unauthenticated connections apart and few.
      server.maxConnections = MAX_CONNECTIONS;
      this.server = server;
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : this.config.port;
        this.log.info('peers.listening', { host: this.config.host, port, lendSlots: this.config.lendSlots, peers: this.config.peers.length });
        resolve(port);
      });
    });
  }

  /** An answer for a peer's request: the peer sees it as a server's `res`. */
  send(line: string, msg: Extract<RouterToStation, { t: 'res' }>): void {
    const link = this.links.get(line);
    if (!link || msg.id === null) return;
    link.send(msg.ok ? { t: 'res', id: msg.id, ok: true, body: msg.body } : { t: 'res', id: msg.id, ok: false, err: msg.err });
  }

  /** What this router lends changed: every peer that has not heard it gets a new `ready`. */
  announce(offer: PeerOffer): void {
    this.offer = offer;
    for (const link of this.links.values()) this.offerTo(link);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.retry?.cancel();
    for (const link of [...this.links.values()]) link.close();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private currentReady(): { t: 'ready'; slots: number; ops: string[] } {
    const { ops, anyAvailable } = this.offer;
    return { t: 'ready', slots: anyAvailable ? this.config.lendSlots : 0, ops: [...ops].sort() };
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    // Validation makes a peer port all sealed or all plaintext.
    const sealed = this.config.peers.filter((p): p is SealedPeer => p.security.kind === 'sealed').map((p) => ({ peer: p, keys: p.security.keys }));
    let security: AcceptSecurity<{ peer: PeerConfig; keys: LinkKeys }>;
    let plaintextPeer: PeerConfig | undefined;
    if (sealed.length > 0) {
      security = { kind: 'sealed', candidates: sealed };
    } else {
      plaintextPeer = this.pickPlaintextPeer(socket);
      if (!plaintextPeer) {
        this.log.warn('peers.refused', { from: socket.remoteAddress, why: 'plaintext peers only from loopback, one connection each' });
        socket.destroy();
        return;
      }
      security = { kind: 'insecure' };
    }
    let line: string | undefined;
    const link: PeerLink = new AcceptedLink(
      socket,
      'tcp',
      this.config.maxBody,
      security,
      {
        // The offer goes out at once (PROTOCOL.md 3: the server's `ready` is the first sealed message)...
        open: () => this.offerTo(link),
        // ...but the connection becomes the peer's only once the peer proved its key: an `open` is plaintext.
        authenticated: (who) => {
          if (!this.door.authenticated(link)) return link.close('every place for an authenticated peer is taken');
          const peer = who?.peer ?? plaintextPeer!;
          line = peerLineName(peer.name);
          const previous = this.links.get(line);
          if (previous && previous !== link) previous.close(); // a peer that reconnected replaces its old connection
          this.links.set(line, link);
          // A server link's ids belong to its connection: the new one starts with none (2.1 rule 2, as after hello).
          this.hooks.forget(line);
          this.hooks.lineUp(line);
          this.log.info('peers.connected', { peer: peer.name, from: socket.remoteAddress, sealed: who !== undefined });
          this.offerTo(link); // what this router offers may have changed since `open`
        },
        request: (work) => {
          if (line && this.links.get(line) === link) this.hooks.request(line, work);
        },
        closed: () => {
          this.door.closed(link);
          this.offered.delete(link);
          if (!line || this.links.get(line) !== link) return;
          this.links.delete(line);
          this.hooks.lineDown(line);
          this.hooks.forget(line);
          this.log.warn('peers.disconnected', { peer: line.slice(PEER_LINE_PREFIX.length) });
        },
      },
      this.log,
    );
    // Issue 11 item 1: connections that have not proved a key wait apart; a newcomer may replace the oldest of them.
    const room = this.door.arrived(link, socket.remoteAddress ?? 'unknown');
    room?.conn.close(room.why);
  }

  /** Sends `ready` to one peer when what this router offers differs from what that peer last heard. */
  private offerTo(link: PeerLink): void {
    const offer = this.currentReady();
    const key = JSON.stringify(offer);
    if (this.offered.get(link) === key) return;
    this.offered.set(link, key);
    link.send(offer);
  }

  /** A plaintext peer is named by the first entry not connected; only from loopback. */
  private pickPlaintextPeer(socket: Socket): PeerConfig | undefined {
    if (!isLoopbackAddress(socket.remoteAddress)) return undefined;
    return this.config.peers.find((p) => !this.links.has(peerLineName(p.name)));
  }
}

type PeerLink = AcceptedLink<{ peer: PeerConfig; keys: LinkKeys }>;
type SealedPeer = PeerConfig & { readonly security: { readonly kind: 'sealed'; readonly keys: LinkKeys } };
