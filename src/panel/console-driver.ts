// The front panel drawn in a terminal: a row for the system lamp, one row of
// lamps per machine (the line name's part before the first '-': m1-s3 is
// station s3 of machine m1), a row for the servers, and a summary line.
// Live (a terminal): redrawn in place as lamps change, blinks included.
// Not live (a log, a test): a frame is printed when a lamp's state changes,
// each lamp drawn by its pattern rather than its level of the moment.
import type { LedPattern } from '../status/view.js';
import type { Lamp, LampShow, LedDriver } from './driver.js';

export interface ConsoleDriverOptions {
  readonly write: (text: string) => void;
  /** Redraw in place with ANSI cursor movement (a terminal). */
  readonly live: boolean;
}

/** A lamp by its pattern, when the frame is not live. */
const PATTERN_GLYPH: Record<LedPattern, string> = { off: '○', on: '●', 'slow-blink': '◐', 'fast-blink': '◑', locate: '◎' };
/** States whose names would make a row too wide for a terminal. */
const SHORT_STATE: Record<string, string> = { 'device-missing': 'missing', 'waiting-for-server': 'waiting', 'not-configured': 'n/c' };
const CELL_STATE_WIDTH = 11;

interface Cell {
  readonly lamp: Lamp;
  show: LampShow;
  level: boolean;
}

export class ConsoleDriver implements LedDriver {
  readonly kind = 'console';
  private rows: { label: string; cells: Cell[] }[] = [];
  private readonly cells = new Map<string, Cell>();
  private captionText = '';
  private drawn: string | undefined;
  private drawnLines = 0;

  constructor(private readonly options: ConsoleDriverOptions) {}

  async open(lamps: readonly Lamp[]): Promise<void> {
    const rows = new Map<string, Cell[]>();
    for (const lamp of lamps) {
      const cell: Cell = { lamp, show: { pattern: 'off', state: '' }, level: false };
      this.cells.set(lamp.id, cell);
      const label = lamp.role === 'system' ? 'system' : lamp.role === 'server' ? 'servers' : machineOf(lamp.target);
      rows.set(label, [...(rows.get(label) ?? []), cell]);
    }
    const order = (label: string): number => (label === 'system' ? 0 : label === 'servers' ? 2 : 1);
    this.rows = [...rows].map(([label, cells]) => ({ label, cells })).sort((a, b) => order(a.label) - order(b.label));
  }

  show(lamp: Lamp, show: LampShow): boolean {
    this.cells.get(lamp.id)!.show = show;
    return false;
  }

  level(lamp: Lamp, on: boolean): void {
    this.cells.get(lamp.id)!.level = on;
  }

  caption(text: string): void {
    this.captionText = text;
  }

  flush(): void {
    const frame = this.frame();
    if (frame === this.drawn) return;
    this.drawn = frame;
    const lines = frame.split('\n');
    if (this.options.live) {
      // Back to the first row of the previous frame, then each row cleared and redrawn.
      const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
      this.options.write(`${up}${lines.map((l) => `\r\x1b[K${l}`).join('\n')}\n`);
    } else {
      this.options.write(`${frame}\n`);
    }
    this.drawnLines = lines.length;
  }

  async close(): Promise<void> {
    this.flush();
  }

  private frame(): string {
    const width = Math.max(...this.rows.map((r) => r.label.length), 7);
    const rows = this.rows.map((r) => `${r.label.padEnd(width)}  ${r.cells.map((c) => this.cell(c)).join('  ')}`.trimEnd());
    // Not live: the caption's counters change every second; only lamp changes make a frame.
    return this.options.live && this.captionText ? [...rows, this.captionText].join('\n') : rows.join('\n');
  }

  private cell(c: Cell): string {
    const glyph = this.options.live ? (c.level ? '●' : '○') : PATTERN_GLYPH[c.show.pattern];
    const name = c.lamp.role === 'line' ? stationOf(c.lamp.target) : c.lamp.role === 'server' ? c.lamp.target : '';
    const state = SHORT_STATE[c.show.state] ?? c.show.state;
    return `${glyph} ${name ? `${name} ` : ''}${state.padEnd(CELL_STATE_WIDTH)}`;
  }
}

const machineOf = (line: string): string => (line.includes('-') ? line.slice(0, line.indexOf('-')) : 'lines');
const stationOf = (line: string): string => (line.includes('-') ? line.slice(line.indexOf('-') + 1) : line);
