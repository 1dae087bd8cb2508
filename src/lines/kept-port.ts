// A serial device kept open: the line machine (src/machines/line-machine.ts)
// run on a real port. Opened at start, reopened with backoff when it fails
// or goes away (an unplugged USB adapter), checked for presence while open
// because serialport can miss a hangup (FACTS.md). A station line and a data
// server's serial attachment both keep their port this way.
import { existsSync } from 'node:fs';
import type { SerialPort } from 'serialport';
import type { SerialSettings } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { openSerial } from '../serial-port.js';
import { initialLine, lineStep, PRESENCE_CHECK_MS, type LineEffect, type LineEvent, type LineMachine, type LinePhase, type LineTimer } from '../machines/line-machine.js';
import { NamedTimers } from '../machines/named-timers.js';
import type { Scheduler } from '../machines/scheduler.js';
import { systemScheduler } from '../timers/system-scheduler.js';

/** What a kept port needs of a port; serialport by default, an in-memory one in tests. */
export interface LinePort {
  readonly isOpen: boolean;
  open(callback: (err: Error | null) => void): void;
  close(callback: () => void): void;
  write(bytes: Buffer): void;
  /** Calls back once every byte written so far has left (serialport: tcdrain). */
  drain?(callback: (err?: Error | null) => void): void;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'close', listener: (err: (Error & { disconnected?: boolean }) | null) => void): unknown;
}

export interface LineDevices {
  open(settings: SerialSettings): LinePort;
  /** Whether the device node is there (an unplugged USB adapter's is not). */
  present(path: string): boolean;
}

export const serialDevices: LineDevices = {
  open: (settings) => openSerial(settings) as SerialPort & LinePort,
  present: (path) => existsSync(path),
};

export interface KeptPortHandlers<P extends LinePort> {
  /** The port is open (again): the freshly opened port. */
  up(port: P): void;
  down(): void;
  data(chunk: Buffer): void;
  /** Every state change, with its reason. */
  phase(state: LinePhase, why?: string): void;
}

export class KeptPort<P extends LinePort = LinePort> {
  private machine: LineMachine = initialLine;
  private port: P | undefined;
  private readonly timers: NamedTimers<LineTimer>;

  constructor(
    private readonly settings: SerialSettings,
    private readonly handlers: KeptPortHandlers<P>,
    private readonly log: Logger,
    scheduler: Scheduler = systemScheduler,
    private readonly devices: LineDevices = serialDevices,
    /** Log events are `<prefix>.<state>` (line.open, dataserver.serial-open...). */
    private readonly prefix = 'line',
  ) {
    this.timers = new NamedTimers(scheduler);
  }

  get state(): LinePhase {
    return this.machine.phase;
  }

  /** The open port, while the line is open. */
  get openPort(): P | undefined {
    return this.machine.phase === 'open' ? this.port : undefined;
  }

  start(): void {
    this.dispatch({ kind: 'start' });
  }

  stop(): void {
    this.dispatch({ kind: 'stop' });
  }

  private dispatch(event: LineEvent): void {
    const { machine, effects } = lineStep(this.machine, event);
    this.machine = machine;
    for (const effect of effects) this.run(effect);
  }

  private run(effect: LineEffect): void {
    switch (effect.kind) {
      case 'open-port':
        return this.openDevice();
      case 'close-port':
        return this.closePort();
      case 'arm':
        return this.timers.arm(effect.timer, effect.ms, () => this.fire(effect.timer));
      case 'disarm':
        return this.timers.disarm(effect.timer);
      case 'up':
        return this.handlers.up(this.port!);
      case 'down':
        return this.handlers.down();
      case 'phase':
        this.log[effect.level](`${this.prefix}.${effect.phase}`, { path: this.settings.path, why: effect.why, retryInMs: effect.retryInMs });
        return this.handlers.phase(effect.phase, effect.why);
    }
  }

  private fire(timer: LineTimer): void {
    if (timer === 'reopen') return this.dispatch({ kind: 'reopen-due' });
    if (!this.devices.present(this.settings.path)) return this.dispatch({ kind: 'lost', why: 'device gone' });
    // The same timer again: 32 lines check twice a second each (named-timers.ts).
    if (!this.timers.again('presence')) this.timers.arm('presence', PRESENCE_CHECK_MS, () => this.fire('presence'));
  }

  private openDevice(): void {
    const port = this.devices.open(this.settings) as P;
    this.port = port;
    port.on('data', (chunk: Buffer) => {
      if (this.port === port) this.handlers.data(chunk);
    });
    port.on('error', (err: Error) => {
      if (this.port === port) this.log.warn(`${this.prefix}.error`, { path: this.settings.path, error: err.message });
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
}
