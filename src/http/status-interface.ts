// Everything a running router shows to people and to Prometheus, put
// together once for `persomux run` and the simulator: the status model (the
// front panel's, shared when there is one, so lamps and page agree), the
// statistics snapshot (read at start, written on schedule and at stop),
// /metrics, the live page's event stream, the operators' actions, and the
// HTTP server that serves them.
import type { RouterConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { RouterEvent, RouterPhase, RouterSnapshot } from '../router/events.js';
import { createStatusModel } from '../status/model.js';
import { LOCATE_MS } from '../status/patterns.js';
import type { StatusView } from '../status/view.js';
import { Statistics } from '../stats/statistics.js';
import { persomuxVersion } from '../util/version.js';
import { actionPolicy } from './actions.js';
import { EventStream } from './event-stream.js';
import type { Locate } from './locate.js';
import { createMetrics } from './metrics.js';
import { startStatusServer } from './status-server.js';
import { systemScheduler } from '../timers/system-scheduler.js';

/** The router's status seam (src/router/events.ts) and its operator actions. */
export interface RouterSeam {
  snapshot(): RouterSnapshot;
  health(): { healthy: boolean; phase: RouterPhase };
  onEvent(listener: (event: RouterEvent, now: number) => void): () => void;
  drain(server: string, by: string): boolean;
  undrain(server: string, by: string): boolean;
}

export interface StatusInterfaceOptions {
  /** The front panel's status model, already fed by the router's events; without it the interface makes its own. */
  readonly model?: { view(now: number): StatusView };
  /** The front panel's locate (src/panel/start-panel.ts); without it the model's own lamp shows it. */
  readonly locate?: Locate;
  /** Monotonic ms, the router's clock. */
  readonly clock?: () => number;
}

export interface StatusInterface {
  readonly url: string | undefined;
  readonly port: number | undefined;
  /** The view the page, /status.json and `persomux status` show (totals include the snapshot's). */
  view(): StatusView;
  /** Writes the statistics snapshot now (also done on schedule and at close). */
  writeSnapshot(): boolean;
  /** Stops serving; writes a last snapshot unless told not to. */
  close(options?: { writeSnapshot?: boolean }): Promise<void>;
}

export async function startStatusInterface(router: RouterSeam, config: RouterConfig, log: Logger, options: StatusInterfaceOptions = {}): Promise<StatusInterface> {
  const clock = options.clock ?? (() => systemScheduler.now());
  const statistics = new Statistics({ stateDir: config.stateDir, router: config.router, log: log.child({ part: 'statistics' }) });
  statistics.load();
  statistics.attach(router);
  let ownModel: (() => void) | undefined;
  let model = options.model;
  let locate = options.locate;
  if (!model) {
    const own = createStatusModel(router.snapshot(), { startedAt: clock(), version: persomuxVersion() });
    ownModel = router.onEvent((e, now) => own.apply(e, now));
    model = own;
    locate ??= (line) => {
      const now = clock();
      return own.locate(line, now) ? { until: now + LOCATE_MS, ms: LOCATE_MS } : undefined;
    };
  }
  const current = model;
  const view = (): StatusView => statistics.decorate(current.view(clock()));
  statistics.schedule(config.snapshotSchedule, view);
  const metrics = createMetrics(router, config.ops.keys());
  const events = new EventStream(view, () => ({ actions: actionPolicy(config.status) }));
  const unsubscribe = router.onEvent((e) => {
    events.changed();
    // A page must see the router stopping before the stream ends.
    if (e.kind === 'router' && (e.phase === 'stopping' || e.phase === 'stopped')) events.flush();
  });
  const actions = {
    locate: locate ?? (() => undefined),
    drain: (server: string, by: string) => router.drain(server, by),
    undrain: (server: string, by: string) => router.undrain(server, by),
  };
  const server = await startStatusServer(config.status, { source: router, view, metrics: metrics.registry, events, actions }, log);
  let closed = false;
  return {
    url: server.url,
    port: server.port,
    view,
    writeSnapshot: () => statistics.write(view()),
    async close(o = {}) {
      if (closed) return;
      closed = true;
      unsubscribe();
      ownModel?.();
      statistics.close(o.writeSnapshot === false ? undefined : view());
      metrics.close();
      await server.close();
    },
  };
}
