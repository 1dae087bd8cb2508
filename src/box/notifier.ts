// The service manager's view of the process (systemd Type=notify, WatchdogSec):
// READY=1 once healthy, WATCHDOG=1 every ping interval while healthy and the
// event loop keeps time, STOPPING=1 on stop. "Healthy" is the caller's one
// definition (the same as /healthz and the deploy's check).
import type { Logger } from '../log/logger.js';
import type { Scheduler } from './scheduler.js';
import type { NotifySink } from './sd-notify.js';
import { decidePing, type WatchdogSettings } from './watchdog-settings.js';

/** How often health is checked until READY=1 is sent. */
export const READY_POLL_MS = 100;

export interface NotifierOptions {
  readonly sink: NotifySink;
  readonly healthy: () => boolean;
  readonly watchdog: WatchdogSettings | undefined;
  readonly scheduler: Scheduler;
  readonly log: Logger;
}

export class Notifier {
  private ready = false;
  private stopped = false;
  /** Worst lateness of a sample (or of the ping itself) since the last ping decision. */
  private worstLagMs = 0;
  private readonly cancels = new Set<() => void>();

  constructor(private readonly o: NotifierOptions) {}

  start(): void {
    this.checkReady();
    const w = this.o.watchdog;
    if (!w) return;
    this.o.log.info('watchdog.start', { pingEveryMs: w.pingEveryMs, lagLimitMs: w.lagLimitMs });
    this.sampleAfter(w.sampleEveryMs);
    this.pingAfter(w.pingEveryMs);
  }

  /** Says STOPPING=1 and stops pinging; the socket is closed. */
  stopping(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    this.o.sink.send('STOPPING=1');
    this.o.sink.close();
  }

  private checkReady(): void {
    if (this.stopped || this.ready) return;
    if (this.o.healthy()) {
      this.ready = true;
      this.o.sink.send('READY=1');
      this.o.log.info('notify.ready');
      return;
    }
    this.schedule(READY_POLL_MS, () => this.checkReady());
  }

  private sampleAfter(ms: number): void {
    const due = this.o.scheduler.now() + ms;
    this.schedule(ms, () => {
      this.worstLagMs = Math.max(this.worstLagMs, this.o.scheduler.now() - due);
      this.sampleAfter(ms);
    });
  }

  private pingAfter(ms: number): void {
    const w = this.o.watchdog!;
    const due = this.o.scheduler.now() + ms;
    this.schedule(ms, () => {
      // The ping's own lateness counts: after a stall it may fire before any sample does.
      const lagMs = Math.max(this.worstLagMs, this.o.scheduler.now() - due);
      this.worstLagMs = 0;
      const decision = decidePing(this.ready && this.o.healthy(), lagMs, w.lagLimitMs);
      if (decision === 'ping') this.o.sink.send('WATCHDOG=1');
      else this.o.log.warn('watchdog.skip', { reason: decision === 'skip-lag' ? 'loop-lag' : 'unhealthy', lagMs: Math.round(lagMs) });
      this.pingAfter(ms);
    });
  }

  private schedule(ms: number, fn: () => void): void {
    const cancel = this.o.scheduler.after(ms, () => {
      this.cancels.delete(cancel);
      if (!this.stopped) fn();
    });
    this.cancels.add(cancel);
  }
}
