// The statistics snapshot's life: read at start (so the page's totals and
// the capacity inputs survive a restart), kept up to date from the router's
// events (service times), written on the configured node-cron schedule and
// once more at a clean stop. /metrics is not touched: it starts at 0 with the
// process, as Prometheus expects.
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from '../log/logger.js';
import type { RouterEvent } from '../router/events.js';
import type { StatusView } from '../status/view.js';
import { ServiceTimes, SERVICE_BUCKETS_MS } from './service-times.js';
import { emptyTotals, parseSnapshot, SNAPSHOT_FILE, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, SnapshotError, type StatisticsSnapshot, type Totals } from './snapshot-format.js';
import { readIfPresent, writeFileAtomically } from './snapshot-file.js';
import { totalsOf, withBaseline } from './totals.js';

export interface StatisticsOptions {
  readonly stateDir: string;
  readonly router: string;
  readonly log: Logger;
}

export class Statistics {
  readonly file: string;
  private baseline: Totals = emptyTotals();
  private serviceTimes = new ServiceTimes();
  private task: ScheduledTask | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: StatisticsOptions) {
    this.file = join(options.stateDir, SNAPSHOT_FILE);
  }

  /** Reads the snapshot, if any. One it cannot read is set aside (never overwritten) and the totals start at 0. */
  load(): StatisticsSnapshot | undefined {
    const { log } = this.options;
    let text: string | undefined;
    try {
      text = readIfPresent(this.file);
    } catch (e) {
      log.error('statistics.cannot-read', { file: this.file, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
      return undefined;
    }
    if (text === undefined) return undefined;
    try {
      const snapshot = parseSnapshot(text);
      this.baseline = snapshot.totals;
      this.serviceTimes = new ServiceTimes(snapshot.serviceTimes.byOp);
      log.info('statistics.loaded', { file: this.file, writtenAt: snapshot.writtenAt, cards: snapshot.totals.cards, requests: snapshot.totals.requests });
      return snapshot;
    } catch (e) {
      if (!(e instanceof SnapshotError)) throw e;
      const aside = `${this.file}.refused`;
      let kept = aside;
      try {
        renameSync(this.file, aside);
      } catch (r) {
        kept = `not moved (${(r as NodeJS.ErrnoException).code ?? (r as Error).message})`;
      }
      log.error('statistics.refused', { file: this.file, why: e.message, kept, totals: 'start at 0' });
      return undefined;
    }
  }

  /** Feeds the service times from the router's events. */
  attach(source: { onEvent(listener: (event: RouterEvent, now: number) => void): () => void }): void {
    this.unsubscribe = source.onEvent((e, now) => {
      if (e.kind === 'note') this.serviceTimes.note(e.note, now);
    });
  }

  /** The model's view with the totals counted before this start added. */
  decorate(view: StatusView): StatusView {
    return withBaseline(view, this.baseline);
  }

  snapshot(view: StatusView): StatisticsSnapshot {
    return {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      router: this.options.router,
      writtenAt: new Date().toISOString(),
      totals: totalsOf(view),
      cardsPerHour: view.site.cardsPerHour,
      serviceTimes: { bucketsMs: SERVICE_BUCKETS_MS, byOp: this.serviceTimes.toJSON() },
    };
  }

  /** Writes the snapshot of a decorated view; a failure is logged, the router goes on. */
  write(view: StatusView): boolean {
    try {
      writeFileAtomically(this.file, JSON.stringify(this.snapshot(view), null, 1) + '\n');
      return true;
    } catch (e) {
      this.options.log.error('statistics.cannot-write', { file: this.file, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
      return false;
    }
  }

  /** Writes on `cron` (node-cron; a sixth leading field is seconds). */
  schedule(cron: string, view: () => StatusView): void {
    this.task?.destroy();
    this.task = createTask(cron, () => void this.write(view()), { name: 'statistics-snapshot', noOverlap: true });
    void this.task.start();
  }

  /** Stops the schedule and writes a last snapshot. */
  close(view: StatusView | undefined): void {
    void this.task?.destroy();
    this.task = undefined;
    this.unsubscribe?.();
    if (view) this.write(view);
  }
}
