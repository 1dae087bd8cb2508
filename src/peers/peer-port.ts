// The cascade (PROTOCOL.md 2.2, peers): this router offers a TCP port where
// other routers connect as to a data server. Their requests join this
// router's dispatcher like a station's, on one pseudo-line per peer, with
// the peer's own `station` value; this router announces the ops its own
// servers serve and the slots it lends (0 while none of them is available).
import { createServer, type Server, type Socket } from 'node:net';
import type { PeerConfig, PeerPortConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { AcceptedLink, type AcceptSecurity, type Work } from '../links/accepted-link.js';
import type { LinkKeys } from '../keys/link-key-file.js';
import { DEFAULT_MAX_BODY } from '../wire/frame.js';
import type { RouterToStation } from '../wire/messages.js';

export interface PeerPortHooks {
  lineUp(line: string): void;
  lineDown(line: string): void;
  request(line: string, work: Work): void;
  /** What to announce now: this router's available ops and whether any server is available. */
  offer(): { readonly ops: readonly string[]; readonly anyAvailable: boolean };
}

export const peerLineName = (peer: string): string => `peer:${peer}`;

const isLoopbackAddress = (a: string | undefined): boolean => a === '::1' || a === '::ffff:127.0.0.1' || (a?.startsWith('127.') ?? false);

export class PeerPort {
  private server: Server | undefined;
  private readonly links = new Map<string, AcceptedLink>();
  private lastOffer = '';

  constructor(
    private readonly config: PeerPortConfig,
    private readonly hooks: PeerPortHooks,
    private readonly log: Logger,
  ) {}

  /** The pseudo-lines the dispatcher needs, one per configured peer. */
  get lineNames(): string[] {
    return this.config.peers.map((p) => peerLineName(p.name));
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.accept(socket));
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

  /** An answer for a peer's request: the peer sees it as a server's `res`. Acks and the rest have no peer form. */
  send(line: string, msg: RouterToStation): void {
    if (msg.t !== 'res' || msg.id === null) return;
    const link = this.links.get(line);
    if (!link) return;
    link.send(msg.ok ? { t: 'res', id: msg.id, ok: true, body: msg.body } : { t: 'res', id: msg.id, ok: false, err: msg.err });
  }

  /** Re-announces `ready` to every peer when what this router offers changed. */
  refresh(): void {
    const offer = this.currentReady();
    const key = JSON.stringify(offer);
    if (key === this.lastOffer) return;
    this.lastOffer = key;
    for (const link of this.links.values()) link.send(offer);
  }

  async close(): Promise<void> {
    for (const link of [...this.links.values()]) link.close();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private currentReady(): { t: 'ready'; slots: number; ops: string[] } {
    const { ops, anyAvailable } = this.hooks.offer();
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
    const link: AcceptedLink<{ peer: PeerConfig; keys: LinkKeys }> = new AcceptedLink(
      socket,
      'tcp',
      DEFAULT_MAX_BODY,
      security,
      {
        open: (who) => {
          const peer = who?.peer ?? plaintextPeer!;
          line = peerLineName(peer.name);
          // A peer that reconnects replaces its old connection.
          const previous = this.links.get(line);
          if (previous && previous !== link) previous.close();
          this.links.set(line, link);
          this.hooks.lineUp(line);
          this.log.info('peers.connected', { peer: peer.name, from: socket.remoteAddress, sealed: who !== undefined });
          link.send(this.currentReady());
        },
        request: (work) => {
          if (line) this.hooks.request(line, work);
        },
        closed: () => {
          if (!line || this.links.get(line) !== link) return;
          this.links.delete(line);
          this.hooks.lineDown(line);
          this.log.warn('peers.disconnected', { peer: line.slice('peer:'.length) });
        },
      },
      this.log,
    );
  }

  /** A plaintext peer is named by the first entry not connected; only from loopback. */
  private pickPlaintextPeer(socket: Socket): PeerConfig | undefined {
    if (!isLoopbackAddress(socket.remoteAddress)) return undefined;
    return this.config.peers.find((p) => !this.links.has(peerLineName(p.name)));
  }
}

type SealedPeer = PeerConfig & { readonly security: { readonly kind: 'sealed'; readonly keys: LinkKeys } };
