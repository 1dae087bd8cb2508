// One station's serial line: a kept port (kept-port.ts: opened, reopened
// with backoff, checked for presence) and the line's codec, which turns
// bytes into messages and messages into bytes.
import type { LineConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { RouterToStation } from '../wire/messages.js';
import { stationCodec, type StationCodec, type StationEvent, type DropReason } from '../wire/station-codec.js';
import { DropCounter } from '../log/drop-counter.js';
import type { LinePhase } from '../machines/line-machine.js';
import type { Scheduler } from '../machines/scheduler.js';
import { systemScheduler } from '../timers/system-scheduler.js';
import { KeptPort, serialDevices, type LineDevices, type LinePort } from './kept-port.js';

export type LineState = LinePhase;
export { serialDevices, type LineDevices, type LinePort };

export interface StationLineHandlers {
  up(): void;
  down(): void;
  event(event: StationEvent): void;
  /** Every state change, with its reason (the status seam). */
  phase(state: LineState, why?: string): void;
  /** Bytes read from (in) or written to (out) the station. */
  traffic(direction: 'in' | 'out', bytes: number): void;
}

export class StationLine {
  readonly drops: DropCounter<DropReason>;
  private readonly codec: StationCodec;
  private readonly kept: KeptPort;

  constructor(
    readonly config: LineConfig,
    private readonly handlers: StationLineHandlers,
    log: Logger,
    scheduler: Scheduler = systemScheduler,
    devices: LineDevices = serialDevices,
  ) {
    this.codec = stationCodec(config.protocol, config.maxBody, { echo: config.echo ?? false, banner: config.banner });
    this.drops = new DropCounter(log, 'line.drop');
    this.kept = new KeptPort(
      config.serial,
      {
        up: () => {
          this.codec.reset();
          // Native: a lone 0x00 ends whatever partial frame the station holds (PROTOCOL.md 1); ASCII: the banner, if any.
          this.write(this.codec.opening());
          handlers.up();
        },
        down: () => handlers.down(),
        data: (chunk) => this.receive(chunk),
        phase: (phase, why) => handlers.phase(phase, why),
      },
      log,
      scheduler,
      devices,
    );
  }

  get state(): LineState {
    return this.kept.state;
  }

  start(): void {
    this.kept.start();
  }

  stop(): void {
    this.kept.stop();
  }

  /** Resolves once what was written has left the port (a stop's last answers must reach the station). */
  flush(): Promise<void> {
    const port = this.kept.openPort;
    return new Promise((resolve) => (port?.drain ? port.drain(() => resolve()) : resolve()));
  }

  send(msg: RouterToStation): void {
    const port = this.kept.openPort;
    if (!port) return;
    const bytes = this.codec.encode(msg);
    if (!bytes) return;
    this.handlers.traffic('out', bytes.length);
    // A failed write surfaces as an error and then a close; the kept port settles it.
    port.write(bytes);
  }

  /** Bytes of the codec's own (the native opening 0x00, an ASCII banner, echo, HELP). */
  private write(bytes: Buffer | undefined): void {
    const port = this.kept.openPort;
    if (!bytes || !port) return;
    this.handlers.traffic('out', bytes.length);
    port.write(bytes);
  }

  private receive(chunk: Buffer): void {
    this.handlers.traffic('in', chunk.length);
    for (const event of this.codec.push(chunk)) {
      if (event.kind === 'drop') this.drops.record(event.reason, { why: event.why });
      // Echo and the codec's own answers (ASCII lines) go out in order with the router's answers to the same chunk.
      if (event.kind === 'write') this.write(event.bytes);
      this.handlers.event(event);
    }
  }
}
