// One station's serial line, as a thin shell: the line machine
// (src/machines/line-machine.ts) decides, this file runs its effects on a
// serialport and the injected scheduler, and turns bytes into messages with
// the line's codec.
import { existsSync } from 'node:fs';
import type { SerialPort } from 'serialport';
import type { LineConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { RouterToStation } from '../wire/messages.js';
import { stationCodec, type StationCodec, type StationEvent, type DropReason } from '../wire/station-codec.js';
import { openSerial } from '../serial-port.js';
import { DropCounter } from '../log/drop-counter.js';
import { initialLine, lineStep, PRESENCE_CHECK_MS, type LineEffect, type LineEvent, type LineMachine, type LinePhase, type LineTimer } from '../machines/line-machine.js';
import { NamedTimers } from '../machines/named-timers.js';
import type { Scheduler } from '../machines/scheduler.js';
import { systemScheduler } from '../timers/system-scheduler.js';

export type LineState = LinePhase;

export interface StationLineHandlers {
  up(): void;
  down(): void;
  event(event: StationEvent): void;
  /** Every state change, with its reason (the status seam). */
  phase(state: LineState, why?: string): void;
  /** Bytes read from (in) or written to (out) the station. */
  traffic(direction: 'in' | 'out', bytes: number): void;
}

/** What the shell needs of a port; serialport by default, an in-memory one in tests. */
export interface LinePort {
  readonly isOpen: boolean;
  open(callback: (err: Error | null) => void): void;
  close(callback: () => void): void;
  write(bytes: Buffer): void;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'close', listener: (err: (Error & { disconnected?: boolean }) | null) => void): unknown;
}

export interface LineDevices {
  open(config: LineConfig): LinePort;
  /** Whether the device node is there (an unplugged USB adapter's is not). */
  present(path: string): boolean;
}

export const serialDevices: LineDevices = {
  open: (config) => openSerial(config.serial) as SerialPort & LinePort,
  present: (path) => existsSync(path),
};

export class StationLine {
  readonly drops: DropCounter<DropReason>;
  private machine: LineMachine = initialLine;
  private port: LinePort | undefined;
  private readonly codec: StationCodec;
  private readonly timers: NamedTimers<LineTimer>;

  constructor(
    readonly config: LineConfig,
    private readonly handlers: StationLineHandlers,
    private readonly log: Logger,
    scheduler: Scheduler = systemScheduler,
    private readonly devices: LineDevices = serialDevices,
  ) {
    this.codec = stationCodec(config.protocol, config.maxBody);
    this.drops = new DropCounter(log, 'line.drop');
    this.timers = new NamedTimers(scheduler);
  }

  get state(): LineState {
    return this.machine.phase;
  }

  start(): void {
    this.dispatch({ kind: 'start' });
  }

  stop(): void {
    this.dispatch({ kind: 'stop' });
  }

  send(msg: RouterToStation): void {
    const port = this.port;
    if (this.machine.phase !== 'open' || !port) return;
    const bytes = this.codec.encode(msg);
    if (!bytes) return;
    this.handlers.traffic('out', bytes.length);
    // A failed write surfaces as an error and then a close; the close handler settles it.
    port.write(bytes);
  }

  private dispatch(event: LineEvent): void {
    const { machine, effects } = lineStep(this.machine, event);
    this.machine = machine;
    for (const effect of effects) this.run(effect);
  }

  private run(effect: LineEffect): void {
    switch (effect.kind) {
      case 'open-port':
        return this.openPort();
      case 'close-port':
        return this.closePort();
      case 'arm':
        return this.timers.arm(effect.timer, effect.ms, () => this.fire(effect.timer));
      case 'disarm':
        return this.timers.disarm(effect.timer);
      case 'up':
        this.codec.reset();
        // A lone 0x00 ends whatever partial frame the station holds (PROTOCOL.md 1).
        if (this.config.protocol === 'native') this.port?.write(Buffer.of(0));
        return this.handlers.up();
      case 'down':
        return this.handlers.down();
      case 'phase':
        this.log[effect.level](`line.${effect.phase}`, { path: this.config.serial.path, why: effect.why, retryInMs: effect.retryInMs });
        return this.handlers.phase(effect.phase, effect.why);
    }
  }

  private fire(timer: LineTimer): void {
    if (timer === 'reopen') return this.dispatch({ kind: 'reopen-due' });
    if (this.devices.present(this.config.serial.path)) this.timers.arm('presence', PRESENCE_CHECK_MS, () => this.fire('presence'));
    else this.dispatch({ kind: 'lost', why: 'device gone' });
  }

  private openPort(): void {
    const port = this.devices.open(this.config);
    this.port = port;
    port.on('data', (chunk: Buffer) => {
      if (this.port === port) this.receive(chunk);
    });
    port.on('error', (err: Error) => {
      if (this.port === port) this.log.warn('line.error', { path: this.config.serial.path, error: err.message });
    });
    // serialport may emit close twice after an unplug during a write (FACTS.md): only the first counts.
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      if (this.port === port) this.dispatch({ kind: 'lost', why: err?.disconnected ? 'disconnected' : 'closed' });
    });
    port.open((err) => {
      if (this.port !== port) {
        // Stopped (or lost) while opening: close what just opened, or it keeps the device locked.
        if (!err) port.close(() => {});
        return;
      }
      this.dispatch(err ? { kind: 'open-failed', why: `cannot open: ${err.message}` } : { kind: 'opened' });
    });
  }

  private closePort(): void {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) port.close(() => {});
  }

  private receive(chunk: Buffer): void {
    this.handlers.traffic('in', chunk.length);
    for (const event of this.codec.push(chunk)) {
      if (event.kind === 'drop') this.drops.record(event.reason, { why: event.why });
      this.handlers.event(event);
    }
  }
}
