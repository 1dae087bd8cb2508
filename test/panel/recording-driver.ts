// A driver that records what the panel asks, lamp by lamp, for the panel tests.
import type { Lamp, LampShow, LedDriver } from '../../src/panel/driver.js';

export class RecordingDriver implements LedDriver {
  readonly kind = 'recording';
  readonly shows = new Map<string, LampShow>();
  readonly levels = new Map<string, boolean>();
  /** Every level write: [time, lamp id, on]. */
  readonly writes: [number, string, boolean][] = [];
  opened = false;
  closed = false;

  constructor(
    private readonly clock: () => number,
    /** Patterns this driver keeps going itself (like led-class's kernel timer). */
    private readonly selfBlinks: readonly string[] = [],
  ) {}

  async open(): Promise<void> {
    this.opened = true;
  }
  show(lamp: Lamp, show: LampShow, delegate: boolean): boolean {
    this.shows.set(lamp.id, show);
    return delegate && this.selfBlinks.includes(show.pattern);
  }
  level(lamp: Lamp, on: boolean): void {
    this.levels.set(lamp.id, on);
    this.writes.push([this.clock(), lamp.id, on]);
  }
  async close(): Promise<void> {
    this.closed = true;
  }

  pattern(id: string): string | undefined {
    return this.shows.get(id)?.pattern;
  }
  state(id: string): string | undefined {
    return this.shows.get(id)?.state;
  }
  writesOf(id: string, from = -Infinity): [number, boolean][] {
    return this.writes.filter(([t, l]) => l === id && t >= from).map(([t, , on]) => [t, on]);
  }
}
