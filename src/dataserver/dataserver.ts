// The reference data server: speaks the server side of PROTOCOL.md 2.2 over
// TCP connections and serial lines, works on at most `slots` requests at once,
// and counts every execution (tests use the count to prove at-most-once).
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SerialSettings } from '../config/types.js';
import { openSerial } from '../lines/serial-port.js';
import type { Logger } from '../log/logger.js';
import { seededRandom, type Random } from '../util/random.js';
import { DEFAULT_MAX_BODY, encodeFrame } from '../wire/frame.js';
import { FrameReader } from '../wire/frame-reader.js';
import { encodeMessage, type RouterToServer, type ServerToRouter } from '../wire/messages.js';
import { parseRouterToServer } from '../wire/parse.js';
import { REFERENCE_OPS, type OpHandler, type OpResult } from './ops.js';
import { sampleServiceMs, type ServiceTime } from './service-time.js';

export interface DataServerOptions {
  readonly name: string;
  readonly slots: number;
  readonly serviceTime: ServiceTime;
  readonly ops?: ReadonlyMap<string, OpHandler>;
  readonly seed?: number;
  readonly log: Logger;
}

type Work = Extract<RouterToServer, { t: 'req' }>;

/**
 * A serial line has no connect event: the server cannot tell when a router
 * opened (or reopened) its end. It takes the first frame after this much
 * silence as a new router and announces itself then. (On a sealed link the
 * `open` handshake of PROTOCOL.md 3 marks the start instead.)
 */
const SERIAL_SILENCE_MS = 2_500;

/** One router's connection: its own slots, queue and timers. */
class Session {
  private active = 0;
  private lastHeard = -Infinity;
  private readonly waiting: Work[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly reader = new FrameReader(DEFAULT_MAX_BODY);

  constructor(
    private readonly server: DataServer,
    readonly stream: Duplex,
    private readonly kind: 'tcp' | 'serial',
  ) {
    stream.on('data', (chunk: Buffer) => {
      for (const e of this.reader.push(chunk)) if (e.kind === 'frame') this.receive(e.body);
    });
    stream.on('error', () => {});
    this.announce();
  }

  announce(): void {
    this.send({ t: 'ready', slots: this.server.slots, ops: this.server.opNames() });
  }

  send(msg: ServerToRouter): void {
    if (!this.stream.destroyed) this.stream.write(encodeFrame(encodeMessage(msg)));
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.stream.destroy();
  }

  startWaiting(): void {
    while (this.active < this.server.slots && this.waiting.length > 0) this.start(this.waiting.shift()!);
  }

  private receive(body: Buffer): void {
    const parsed = parseRouterToServer(body);
    if (!parsed.ok) return;
    const now = Date.now();
    if (this.kind === 'serial' && now - this.lastHeard > SERIAL_SILENCE_MS) this.announce();
    this.lastHeard = now;
    const msg = parsed.msg;
    if (msg.t === 'ping') return this.send({ t: 'pong', n: msg.n });
    if (msg.t === 'pong') return;
    this.waiting.push(msg);
    this.startWaiting();
  }

  private start(work: Work): void {
    this.active++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.active--;
      const result = this.server.execute(work);
      this.send(result.ok ? { t: 'res', id: work.id, ok: true, body: result.body } : { t: 'res', id: work.id, ok: false, err: result.err });
      this.startWaiting();
    }, this.server.serviceMs());
    this.timers.add(timer);
  }
}

export class DataServer {
  /** Requests executed, by op; the proof that a retransmission ran once. */
  readonly executions = new Map<string, number>();
  slots: number;
  private readonly ops: ReadonlyMap<string, OpHandler>;
  private readonly random: Random;
  private readonly sessions = new Set<Session>();
  private tcp: Server | undefined;

  constructor(private readonly options: DataServerOptions) {
    this.slots = options.slots;
    this.ops = options.ops ?? REFERENCE_OPS;
    this.random = seededRandom(options.seed ?? Date.now());
  }

  get totalExecutions(): number {
    let n = 0;
    for (const v of this.executions.values()) n += v;
    return n;
  }

  opNames(): string[] {
    return [...this.ops.keys()];
  }

  serviceMs(): number {
    return sampleServiceMs(this.options.serviceTime, this.random);
  }

  execute(work: Work): OpResult {
    const handler = this.ops.get(work.op);
    this.options.log.debug('dataserver.execute', { op: work.op, id: work.id, station: work.station });
    if (!handler) return { ok: false, err: { code: 'unknown-op', msg: `op '${work.op}' is not served here` } };
    this.executions.set(work.op, (this.executions.get(work.op) ?? 0) + 1);
    return handler(work.body);
  }

  /** Listens on TCP; resolves with the port (0 picks a free one). */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket: Socket) => {
        socket.setNoDelay(true);
        this.attach(socket, 'tcp');
      });
      this.tcp = server;
      server.once('error', reject);
      server.listen(port, host, () => {
        const address = server.address();
        const bound = typeof address === 'object' && address ? address.port : port;
        this.options.log.info('dataserver.listening', { name: this.options.name, host, port: bound, slots: this.slots });
        resolve(bound);
      });
    });
  }

  /** Serves one router on a serial line (opened now; not reopened). */
  openSerial(settings: SerialSettings): Promise<void> {
    return new Promise((resolve, reject) => {
      const port = openSerial(settings);
      port.open((err) => {
        if (err) return reject(err);
        this.options.log.info('dataserver.serial', { name: this.options.name, path: settings.path, slots: this.slots });
        this.attach(port, 'serial');
        resolve();
      });
    });
  }

  /** Announces a new slot count to every router (`ready` again, 2.2). */
  setSlots(slots: number): void {
    this.slots = slots;
    for (const s of this.sessions) {
      s.announce();
      s.startWaiting();
    }
  }

  /** Drops every connection at once, mid-request, as a crash would; keeps listening. */
  dropConnections(): void {
    for (const s of this.sessions) s.close();
    this.sessions.clear();
  }

  async close(): Promise<void> {
    this.dropConnections();
    const tcp = this.tcp;
    this.tcp = undefined;
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }

  private attach(stream: Duplex, kind: 'tcp' | 'serial'): void {
    const session = new Session(this, stream, kind);
    this.sessions.add(session);
    stream.on('close', () => {
      session.close();
      this.sessions.delete(session);
    });
  }
}
