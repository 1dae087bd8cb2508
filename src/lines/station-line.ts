// One station's serial line: opens the port, turns bytes into messages with
// the line's codec, and reopens by itself when a USB adapter comes back.
//
//   stopped -> opening -> open -> waiting -> opening -> ...
//
// Every state change goes through setState, which logs it.
import { existsSync } from 'node:fs';
import type { SerialPort } from 'serialport';
import type { LineConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { Backoff } from '../util/backoff.js';
import type { RouterToStation } from '../wire/messages.js';
import { stationCodec, type StationCodec, type StationEvent, type DropReason } from '../wire/station-codec.js';
import { openSerial } from '../serial-port.js';
import { DropCounter } from '../log/drop-counter.js';

export type LineState = 'stopped' | 'opening' | 'open' | 'waiting';

export interface StationLineHandlers {
  up(): void;
  down(): void;
  event(event: StationEvent): void;
  /** Every state change, with its reason (the status seam). */
  phase(state: LineState, why?: string): void;
  /** Bytes read from (in) or written to (out) the station. */
  traffic(direction: 'in' | 'out', bytes: number): void;
}

/** Lines reopen faster than server links reconnect: a station is next to the box. */
const REOPEN_FIRST_MS = 200;
const REOPEN_MAX_MS = 5_000;
/**
 * serialport can miss a hangup on a port that was just written to (FACTS.md),
 * and stations need not ping. An unplugged adapter's device node goes away,
 * so an open line also checks that its path still exists.
 */
const PRESENCE_CHECK_MS = 500;

export class StationLine {
  state: LineState = 'stopped';
  readonly drops: DropCounter<DropReason>;
  private port: SerialPort | undefined;
  private timer: NodeJS.Timeout | undefined;
  private presence: NodeJS.Timeout | undefined;
  private failures = 0;
  private readonly codec: StationCodec;
  private readonly backoff = new Backoff(REOPEN_FIRST_MS, REOPEN_MAX_MS);

  constructor(
    readonly config: LineConfig,
    private readonly handlers: StationLineHandlers,
    private readonly log: Logger,
  ) {
    this.codec = stationCodec(config.protocol, config.maxBody);
    this.drops = new DropCounter(log, 'line.drop');
  }

  start(): void {
    if (this.state === 'stopped') this.open();
  }

  stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.presence);
    const port = this.port;
    const wasOpen = this.state === 'open';
    this.port = undefined;
    this.setState('stopped', 'stopped');
    if (port?.isOpen) port.close(() => {});
    if (wasOpen) this.handlers.down();
  }

  send(msg: RouterToStation): void {
    const port = this.port;
    if (this.state !== 'open' || !port) return;
    const bytes = this.codec.encode(msg);
    if (!bytes) return;
    this.handlers.traffic('out', bytes.length);
    // A failed write surfaces as an error and then a close; the close handler settles it.
    port.write(bytes);
  }

  private open(): void {
    this.setState('opening');
    const port = openSerial(this.config.serial);
    this.port = port;
    port.on('data', (chunk: Buffer) => {
      if (this.port === port) this.receive(chunk);
    });
    port.on('error', (err) => {
      if (this.port === port) this.log.warn('line.error', { path: this.config.serial.path, error: err.message });
    });
    // serialport may emit close twice after an unplug during a write (FACTS.md): only the first counts.
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      if (this.port === port) this.lost(err?.disconnected ? 'disconnected' : 'closed');
    });
    port.open((err) => {
      if (this.port !== port) {
        // Stopped (or lost) while opening: close what just opened, or it keeps the device locked.
        if (!err) port.close(() => {});
        return;
      }
      if (err) return this.lost(`cannot open: ${err.message}`);
      this.backoff.reset();
      this.codec.reset();
      this.setState('open');
      this.presence = setInterval(() => {
        if (this.port === port && !existsSync(this.config.serial.path)) this.lost('device gone');
      }, PRESENCE_CHECK_MS);
      // A lone 0x00 ends whatever partial frame the station holds (PROTOCOL.md 1).
      if (this.config.protocol === 'native') port.write(Buffer.of(0));
      this.handlers.up();
    });
  }

  private lost(why: string): void {
    clearInterval(this.presence);
    const wasOpen = this.state === 'open';
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) port.close(() => {});
    const delay = this.backoff.delay();
    this.setState('waiting', why, delay);
    if (wasOpen) this.handlers.down();
    this.timer = setTimeout(() => this.open(), delay);
  }

  private receive(chunk: Buffer): void {
    this.handlers.traffic('in', chunk.length);
    for (const event of this.codec.push(chunk)) {
      if (event.kind === 'drop') {
        this.drops.record(event.reason, { why: event.why });
      }
      this.handlers.event(event);
    }
  }

  private setState(next: LineState, why?: string, retryInMs?: number): void {
    if (next === this.state) return;
    const previous = this.state;
    this.state = next;
    // A port that keeps failing to open is logged once per state change, not per attempt.
    if (next === 'waiting') this.failures++;
    if (next === 'open') this.failures = 0;
    const level = next === 'opening' ? 'debug' : next === 'waiting' && previous === 'opening' && this.failures > 1 ? 'debug' : next === 'waiting' ? 'warn' : 'info';
    this.log[level](`line.${next}`, { path: this.config.serial.path, why, retryInMs });
    this.handlers.phase(next, why);
  }
}
