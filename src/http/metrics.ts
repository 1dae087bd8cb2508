// /metrics: the router in the Prometheus text format through prom-client
// (README "Metrics" lists every series). Counters and histograms are plain
// tallies fed by the router's events (no prom-client call per event) and read
// at each scrape; they start at 0 with the process. Gauges are read from the
// router's snapshot at each scrape (metrics-registry.ts). Labels: line,
// server, op, code, reason, state; never a csn, a station id, a body byte or
// a key.
//
// prom-client is loaded at the first scrape, not before: a router nobody
// scrapes keeps ~3 MB less resident (README, "The router's cost per
// request"). The tallies count from the start either way.
import type { Registry } from 'prom-client';
import type { RouterErrorCode } from '../dispatch/types.js';
import type { RouterEvent, RouterSnapshot } from '../router/events.js';
import { BoundedValues } from './label-values.js';
import { counts, distributions, type Count, type Distribution, type SeriesIndex } from './tally.js';

const ROUTER_CODES: readonly (RouterErrorCode | 'ok')[] = ['ok', 'bad-request', 'unknown-op', 'timeout', 'overloaded', 'server-lost', 'no-server'];
/** Seconds: from a ms on a pty to the longest ttl. */
const TIME_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface MetricsSource {
  snapshot(): RouterSnapshot;
  onEvent(listener: (event: RouterEvent, now: number) => void): () => void;
}

export interface RouterMetrics {
  /** The registry, built (and prom-client loaded) at the first call; the same one after. */
  registry(): Promise<Registry>;
  close(): void;
}

/** What the events add to, read at each scrape. */
export interface MetricTallies {
  readonly requests: SeriesIndex<Count>;
  readonly answers: SeriesIndex<Count>;
  readonly cards: () => number;
  readonly wait: SeriesIndex<Distribution>;
  readonly answerTime: SeriesIndex<Distribution>;
  readonly lineDrops: SeriesIndex<Count>;
  readonly bytesIn: SeriesIndex<Count>;
  readonly bytesOut: SeriesIndex<Count>;
  readonly handshakes: SeriesIndex<Count>;
  readonly linkDrops: SeriesIndex<Count>;
}

/** `load`: where the registry module comes from (tests pass one that fails). */
export function createMetrics(source: MetricsSource, configuredOps: Iterable<string>, load: () => Promise<typeof import('./metrics-registry.js')> = () => import('./metrics-registry.js')): RouterMetrics {
  const configured = [...configuredOps];
  const ops = new BoundedValues(configured, 256);
  const codes = new BoundedValues(ROUTER_CODES);
  const lineReasons = new BoundedValues();
  const linkReasons = new BoundedValues();
  const start = source.snapshot();

  // The event path only adds to plain tallies (tally.ts); prom-client reads
  // them at each scrape (tally-metrics.ts).
  const requests = counts(['line', 'op']);
  const answers = counts(['line', 'op', 'code']);
  let cards = 0;
  const wait = distributions(['op'], TIME_BUCKETS_S);
  const answerTime = distributions(['op'], TIME_BUCKETS_S);
  const lineDrops = counts(['line', 'reason']);
  const bytesIn = counts(['line']);
  const bytesOut = counts(['line']);
  const handshakes = counts(['server']);
  const linkDrops = counts(['server', 'reason']);

  // Every configured line and op starts visible at 0, so rate() sees the first request.
  for (const l of start.lines) for (const op of configured) requests.at(l.name, op);
  for (const s of start.servers) handshakes.at(s.name);
  const cardOps = new Set(start.cardOps);

  const unsubscribe = source.onEvent((e) => {
    switch (e.kind) {
      case 'traffic':
        (e.direction === 'in' ? bytesIn : bytesOut).at(e.line).value += e.bytes;
        return;
      case 'line-drop':
        lineDrops.at(e.line, lineReasons.learn(e.reason)).value++;
        return;
      case 'link-drop':
        linkDrops.at(e.server, linkReasons.learn(e.reason)).value++;
        return;
      case 'handshake':
        handshakes.at(e.server).value++;
        return;
      case 'note':
        break;
      default:
        return;
    }
    const n = e.note;
    switch (n.event) {
      case 'server-available':
        for (const op of n.ops) ops.admit(op);
        return;
      case 'queued':
        requests.at(n.line, ops.label(n.op)).value++;
        return;
      case 'rejected': {
        const op = ops.label(n.op);
        requests.at(n.line, op).value++;
        answers.at(n.line, op, codes.learn(n.code)).value++;
        return;
      }
      case 'dispatched':
        wait.at(ops.label(n.op)).observe(n.waitMs / 1000);
        return;
      case 'answered': {
        const op = ops.label(n.op);
        answers.at(n.line, op, codes.learn(n.outcome)).value++;
        answerTime.at(op).observe(n.totalMs / 1000);
        if (n.outcome === 'ok' && cardOps.has(n.op)) cards++;
        return;
      }
      default:
        return;
    }
  });
  const tallies: MetricTallies = { requests, answers, cards: () => cards, wait, answerTime, lineDrops, bytesIn, bytesOut, handshakes, linkDrops };
  let built: Promise<Registry> | undefined;
  return {
    registry: () =>
      (built ??= load()
        .then((m) => m.buildRegistry(tallies, () => source.snapshot(), ops))
        .catch((e: unknown) => {
          // That scrape fails (500); the next one tries again instead of failing for the router's life.
          built = undefined;
          throw e;
        })),
    close: unsubscribe,
  };
}
