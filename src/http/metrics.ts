// /metrics: the router in the Prometheus text format through prom-client
// (README "Metrics" lists every series). Counters and histograms are plain
// tallies fed by the router's events (no prom-client call per event) and read
// at each scrape; they start at 0 with the process. Gauges are read from the
// router's snapshot at each scrape. Labels: line, server, op, code, reason,
// state; never a csn, a station id, a body byte or a key.
import { Gauge, Registry } from 'prom-client';
import { registerDefaultMetrics } from './default-metrics.js';
import type { RouterErrorCode } from '../dispatch/types.js';
import type { LinePhase, LinkPhase, RouterEvent, RouterSnapshot } from '../router/events.js';
import { BoundedValues } from './label-values.js';
import { counts, distributions } from './tally.js';
import { tallyCounter, tallyHistogram, totalCounter } from './tally-metrics.js';

const ROUTER_CODES: readonly (RouterErrorCode | 'ok')[] = ['ok', 'bad-request', 'unknown-op', 'timeout', 'overloaded', 'server-lost', 'no-server'];
const LINE_PHASES: readonly LinePhase[] = ['stopped', 'opening', 'open', 'waiting'];
const LINK_PHASES: readonly LinkPhase[] = ['stopped', 'connecting', 'handshaking', 'open', 'waiting'];
/** Seconds: from a ms on a pty to the longest ttl. */
const TIME_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface MetricsSource {
  snapshot(): RouterSnapshot;
  onEvent(listener: (event: RouterEvent, now: number) => void): () => void;
}

export interface RouterMetrics {
  readonly registry: Registry;
  close(): void;
}

export function createMetrics(source: MetricsSource, configuredOps: Iterable<string>): RouterMetrics {
  const registry = new Registry();
  registerDefaultMetrics(registry);
  const configured = [...configuredOps];
  const ops = new BoundedValues(configured, 256);
  const codes = new BoundedValues(ROUTER_CODES);
  const lineReasons = new BoundedValues();
  const linkReasons = new BoundedValues();
  const start = source.snapshot();
  const on = { registers: [registry] };

  // The event path only adds to plain tallies (tally.ts); prom-client reads
  // them at each scrape (tally-metrics.ts). Registration order is the
  // exposition's order.
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
  tallyCounter(registry, 'persomux_requests_total', 'Requests taken from station lines (and peers), retransmissions not counted', requests);
  tallyCounter(registry, 'persomux_answers_total', 'Answers sent to station lines, by code (ok or an error code)', answers);
  totalCounter(registry, 'persomux_cards_total', 'Cards made: ok answers to ops marked startsCard', () => cards);
  tallyHistogram(registry, 'persomux_wait_for_server_seconds', 'Time from a request arriving to its dispatch to a server', wait);
  tallyHistogram(registry, 'persomux_time_to_answer_seconds', 'Time from a request arriving to its answer', answerTime);
  tallyCounter(registry, 'persomux_frames_dropped_total', 'Frames dropped on station lines, by reason', lineDrops);
  tallyCounter(registry, 'persomux_line_received_bytes_total', 'Bytes read from station lines', bytesIn);
  tallyCounter(registry, 'persomux_line_sent_bytes_total', 'Bytes written to station lines', bytesOut);
  tallyCounter(registry, 'persomux_link_handshakes_total', 'Completed handshakes of sealed server links', handshakes);
  tallyCounter(registry, 'persomux_link_drops_total', 'Frames dropped on server links, by reason', linkDrops);

  const snap = (): RouterSnapshot => source.snapshot();
  new Gauge({
    name: 'persomux_queue_depth',
    help: 'Requests waiting for a server, by op',
    labelNames: ['op'],
    ...on,
    collect() {
      this.reset();
      for (const [op, n] of snap().dispatch.queued) this.inc({ op: ops.label(op) }, n);
    },
  });
  new Gauge({
    name: 'persomux_server_slots',
    help: 'Slots of each server, busy or free (0 while it is not available)',
    labelNames: ['server', 'state'],
    ...on,
    collect() {
      for (const s of snap().dispatch.servers) {
        const slots = s.available ? s.slots : 0;
        this.set({ server: s.name, state: 'busy' }, s.busy);
        this.set({ server: s.name, state: 'free' }, Math.max(0, slots - s.busy));
      }
    },
  });
  new Gauge({
    name: 'persomux_link_state',
    help: 'Server link state: 1 for the state it is in, 0 for the others',
    labelNames: ['server', 'state'],
    ...on,
    collect() {
      for (const s of snap().servers) for (const p of LINK_PHASES) this.set({ server: s.name, state: p }, s.phase === p ? 1 : 0);
    },
  });
  new Gauge({
    name: 'persomux_server_draining',
    help: '1 while the server is drained (by an operator or for a re-handshake)',
    labelNames: ['server'],
    ...on,
    collect() {
      for (const s of snap().servers) this.set({ server: s.name }, s.drainedBy === undefined ? 0 : 1);
    },
  });
  new Gauge({
    name: 'persomux_line_state',
    help: 'Station line port state: 1 for the state it is in, 0 for the others',
    labelNames: ['line', 'state'],
    ...on,
    collect() {
      for (const l of snap().lines) for (const p of LINE_PHASES) this.set({ line: l.name, state: p }, l.phase === p ? 1 : 0);
    },
  });

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
  return { registry, close: unsubscribe };
}
