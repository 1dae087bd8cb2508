// Everything a running router shows to people and to Prometheus, put
// together once for `persomux run` and the simulator: the status model (fed
// by the router's events), the statistics snapshot (read at start, written
// on schedule and at stop), /metrics, the live page's event stream, the
// operators' actions, and the HTTP server that serves them.
import type { RouterConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { RouterEvent, RouterPhase, RouterSnapshot } from '../router/events.js';
// INTERIM: replaced by issue 8's status model at merge (see that file).
import { InterimStatusModel } from '../status/interim-model.js';
import type { StatusView } from '../status/view.js';
import { Statistics } from '../stats/statistics.js';
import { persomuxVersion } from '../util/version.js';
import { actionPolicy } from './actions.js';
import { EventStream } from './event-stream.js';
import { createMetrics } from './metrics.js';
import { startStatusServer } from './status-server.js';

/** The router's status seam (src/router/events.ts) and its operator actions. */
export interface RouterSeam {
  snapshot(): RouterSnapshot;
  health(): { healthy: boolean; phase: RouterPhase };
  onEvent(listener: (event: RouterEvent, now: number) => void): () => void;
  drain(server: string, by: string): boolean;
  undrain(server: string, by: string): boolean;
}

export interface StatusInterfaceOptions {
  /** Locates a line (issue 8's src/http/locate.ts); by default the model shows the locate pattern. */
  readonly locate?: (line: string, by: string) => boolean;
}

export interface StatusInterface {
  readonly url: string | undefined;
  readonly port: number | undefined;
  /** The view the page, /status.json and `persomux status` show (totals include the snapshot's). */
  view(): StatusView;
  /** Writes the statistics snapshot now (also done on schedule and at close). */
  writeSnapshot(): boolean;
  /** Writes a last snapshot and stops serving. */
  close(): Promise<void>;
}

export async function startStatusInterface(router: RouterSeam, config: RouterConfig, log: Logger, options: StatusInterfaceOptions = {}): Promise<StatusInterface> {
  const statistics = new Statistics({ stateDir: config.stateDir, router: config.router, log: log.child({ part: 'statistics' }) });
  statistics.load();
  statistics.attach(router);
  const model = new InterimStatusModel(router, persomuxVersion());
  const view = (): StatusView => statistics.decorate(model.view());
  statistics.schedule(config.snapshotSchedule, view);
  const metrics = createMetrics(router, config.ops.keys());
  const events = new EventStream(view, () => ({ actions: actionPolicy(config.status) }));
  const unsubscribe = router.onEvent((e) => {
    events.changed();
    // A page must see the router stopping before the stream ends.
    if (e.kind === 'router' && (e.phase === 'stopping' || e.phase === 'stopped')) events.flush();
  });
  const actions = {
    locate: options.locate ?? ((line: string) => model.locate(line)),
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
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      statistics.close(view());
      metrics.close();
      model.close();
      await server.close();
    },
  };
}
