// The stations of the routing bench: each pty's station end opened with
// Node's tty streams (cheap, so the bench process takes little of the CPU it
// shares with what it measures), keeping `outstanding` requests in flight per
// line (closed loop) or one at a time with a pause (light load, latency).
import { constants, openSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ReadStream, WriteStream } from 'node:tty';
import { decodeCbor, encodeCbor } from '../../../src/wire/cbor.js';
import { encodeFrame } from '../../../src/wire/frame.js';
import { FrameReader } from '../../../src/wire/frame-reader.js';
import { encodeMessage } from '../../../src/wire/messages.js';

/** A request body like a session-keys request's (csn and two challenges). */
export const BODY = encodeCbor({ csn: Buffer.from('04a1b2c3d4e5f6', 'hex'), hostChallenge: Buffer.alloc(8, 1), cardChallenge: Buffer.alloc(8, 2) });

interface Station {
  readonly fd: number;
  readonly input: ReadStream;
  readonly output: WriteStream;
  readonly reader: FrameReader;
  nextId: number;
  readonly sentAt: Map<number, number>;
}

export class StationLoad {
  answered = 0;
  failed = 0;
  readonly latenciesMs: number[] = [];
  private stations: Station[] = [];
  private running = false;
  private recording = false;
  private pauseMs = 0;

  constructor(private readonly paths: readonly string[]) {}

  open(): void {
    this.stations = this.paths.map((path) => {
      const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
      const station: Station = { fd, input: new ReadStream(fd), output: new WriteStream(fd), reader: new FrameReader(4096), nextId: 1, sentAt: new Map() };
      station.input.on('data', (chunk: Buffer) => this.receive(station, chunk));
      station.input.on('error', () => {});
      station.output.on('error', () => {});
      station.output.write(Buffer.of(0)); // ends any partial frame (PROTOCOL.md 1)
      return station;
    });
  }

  /** Closed loop: every line keeps `outstanding` requests in flight. */
  saturate(outstanding: number): void {
    this.running = true;
    this.pauseMs = 0;
    for (const s of this.stations) for (let i = 0; i < outstanding; i++) this.send(s);
  }

  /** Light load: one request at a time per line, `pauseMs` after each answer; latencies recorded. */
  trickle(pauseMs: number): void {
    this.running = true;
    this.recording = true;
    this.pauseMs = pauseMs;
    for (const s of this.stations) this.send(s);
  }

  /** Stops sending; answers still on their way are counted. */
  stop(): void {
    this.running = false;
    this.recording = false;
  }

  close(): void {
    for (const s of this.stations) {
      // The streams close the descriptor: closing it here too could close a number reused meanwhile.
      s.input.destroy();
      s.output.destroy();
    }
    this.stations = [];
  }

  /**
   * Until every line has had an answer: one request per line, sent again
   * every 500 ms while unanswered (a request written before the far end
   * opened its side may be lost). Then forgets what is still in flight.
   */
  async probe(timeoutMs: number): Promise<boolean> {
    const answered = new Set<Station>();
    this.onAnswer = (s) => answered.add(s);
    const end = Date.now() + timeoutMs;
    while (answered.size < this.stations.length && Date.now() < end) {
      for (const s of this.stations) if (!answered.has(s)) this.send(s);
      const wait = Date.now() + 500;
      while (answered.size < this.stations.length && Date.now() < wait) await new Promise((r) => setTimeout(r, 10));
    }
    this.onAnswer = undefined;
    for (const s of this.stations) s.sentAt.clear();
    return answered.size === this.stations.length;
  }

  private onAnswer: ((s: Station) => void) | undefined;

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.stations.reduce((n, s) => n + s.sentAt.size, 0);
  }

  private send(s: Station): void {
    const id = s.nextId++;
    s.sentAt.set(id, performance.now());
    s.output.write(encodeFrame(encodeMessage({ t: 'req', id, op: 'echo', body: BODY })));
  }

  private receive(s: Station, chunk: Buffer): void {
    for (const e of s.reader.push(chunk)) {
      if (e.kind !== 'frame') continue;
      const m = decodeCbor(e.body) as { t?: string; id?: number; ok?: boolean };
      if (m.t !== 'res' || typeof m.id !== 'number') continue;
      const sent = s.sentAt.get(m.id);
      if (sent === undefined) continue;
      s.sentAt.delete(m.id);
      this.onAnswer?.(s);
      if (m.ok) this.answered++;
      else this.failed++;
      if (this.recording) this.latenciesMs.push(performance.now() - sent);
      if (!this.running) continue;
      if (this.pauseMs > 0) setTimeout(() => this.running && this.send(s), this.pauseMs);
      else this.send(s);
    }
  }
}

/**
 * The direct link of bench (b): the bench speaks to a data server itself over
 * plaintext TCP, one request at a time, as a router would with nothing in
 * between: the latency the router's path is compared with.
 */
export class DirectLink {
  readonly latenciesMs: number[] = [];
  private readonly reader = new FrameReader(4096);
  private socket: import('node:net').Socket | undefined;
  private running = false;
  private nextId = 1;
  private sentAt = 0;

  async open(host: string, port: number): Promise<void> {
    const { connect } = await import('node:net');
    const socket = connect(port, host);
    socket.setNoDelay(true);
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.on('data', (chunk: Buffer) => {
        for (const e of this.reader.push(chunk)) {
          if (e.kind !== 'frame') continue;
          const m = decodeCbor(e.body) as { t?: string };
          if (m.t === 'ready') resolve();
          else if (m.t === 'res') this.answered();
        }
      });
    });
  }

  trickle(pauseMs: number): void {
    this.running = true;
    this.pauseMs = pauseMs;
    this.send();
  }

  /** Answers so far (both modes). */
  answeredCount = 0;
  private saturating = false;

  /** Closed loop: `outstanding` requests in flight on this link, no pause, no latency kept. */
  saturate(outstanding: number): void {
    this.running = true;
    this.saturating = true;
    for (let i = 0; i < outstanding; i++) this.send();
  }

  stop(): void {
    this.running = false;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.sentCount - this.answeredCount;
  }

  close(): void {
    this.socket?.destroy();
  }

  private pauseMs = 0;
  private sentCount = 0;

  private send(): void {
    this.sentCount++;
    this.sentAt = performance.now();
    this.socket!.write(encodeFrame(encodeMessage({ t: 'req', id: this.nextId++, op: 'echo', body: BODY, station: 'bench/direct', ttl: 10_000 })));
  }

  private answered(): void {
    this.answeredCount++;
    if (this.saturating) {
      if (this.running) this.send();
      return;
    }
    this.latenciesMs.push(performance.now() - this.sentAt);
    if (this.running) setTimeout(() => this.running && this.send(), this.pauseMs);
  }
}
