// The live progress line of `persomux sim` on a terminal: one line, redrawn in
// place, never wider than the terminal (80 columns at most), and log lines
// printed above it, never into the middle of it.
import type { Progress } from './sim.js';

const MAX_COLUMNS = 80;
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The progress as one short line; cut to `columns - 1` so the cursor never wraps. */
export function compactProgress(p: Progress, columns = MAX_COLUMNS): string {
  const perHour = p.elapsedS > 0 ? (p.cards / p.elapsedS) * 3600 : 0;
  const busy = p.servers.map((s) => `${s.busy}/${s.slots}`).join(' ');
  const text = `${p.elapsedS.toFixed(0)}s cards ${int(p.cards)} (${int(perHour)}/h)${p.rejected ? ` rej ${int(p.rejected)}` : ''} req ${int(p.requests)} q ${p.queued} busy ${busy}`;
  // A terminal that reports no width (0, as under script(1)) gets 80.
  return fit(text, (columns > 0 ? Math.min(columns, MAX_COLUMNS) : MAX_COLUMNS) - 1);
}

export function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 3))}...`;
}

interface Out {
  write(text: string): unknown;
}

/** Owns the bottom line of a terminal: `show` redraws it, `above` prints a line over it and redraws it. */
export class ProgressLine {
  private current = '';
  constructor(
    private readonly out: Out,
    private readonly columns = (): number => MAX_COLUMNS,
  ) {}

  show(p: Progress): void {
    this.current = compactProgress(p, this.columns());
    this.out.write(`\r\x1b[K${this.current}`);
  }

  /** A log line (or any line) printed above the progress line. */
  above(line: string, to: Out = this.out): void {
    if (this.current) this.out.write('\r\x1b[K');
    to.write(line.endsWith('\n') ? line : `${line}\n`);
    if (this.current) this.out.write(this.current);
  }

  /** Leaves the last progress on its own line (before the report). */
  end(): void {
    if (this.current) this.out.write('\n');
    this.current = '';
  }
}
