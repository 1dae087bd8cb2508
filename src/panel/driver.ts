// The LED driver interface: what the panel asks of a backend (gpio,
// led-class, console, none). The panel decides what each lamp shows and
// when; a driver only turns that into files or characters.
import type { LedPattern } from '../status/view.js';

/** One lamp of the front panel. */
export interface Lamp {
  /** Unique on the panel: `line:m1-s3`, `server:ds1`, `system`. */
  readonly id: string;
  readonly role: 'line' | 'server' | 'system';
  /** The line or server it shows (`system` for the system lamp). */
  readonly target: string;
  /** BCM GPIO number (gpio backend). */
  readonly bcm?: number;
  /** Name under /sys/class/leds (led-class backend). */
  readonly ledClass?: string;
}

/** What a lamp shows: the pattern, and the state it stands for (the console prints the state). */
export interface LampShow {
  readonly pattern: LedPattern;
  readonly state: string;
}

export interface LedDriver {
  readonly kind: string;
  /** Claims the lamps; throws PanelUnavailableError saying exactly why when it cannot. */
  open(lamps: readonly Lamp[]): Promise<void>;
  /**
   * A lamp's pattern or state changed. Returns true when the driver keeps
   * this pattern going by itself (a kernel LED timer): the panel then writes
   * no levels for it until the next change. `delegate` false means the
   * process must toggle it (the system lamp: a frozen router shows a frozen light).
   */
  show(lamp: Lamp, show: LampShow, delegate: boolean): boolean;
  /** Lamp on or off now. Called only when the level changes. */
  level(lamp: Lamp, on: boolean): void;
  /** After each tick's writes: the console redraws here. */
  flush?(now: number): void;
  /** A one-line summary of the site under the lamps (the console shows it). */
  caption?(text: string): void;
  close(): Promise<void>;
}

/** The panel's hardware cannot be used: the router keeps routing without it. */
export class PanelUnavailableError extends Error {
  constructor(
    readonly backend: string,
    message: string,
  ) {
    super(`${backend} panel unavailable: ${message}`);
    this.name = 'PanelUnavailableError';
  }
}
