// /metrics: the router in the Prometheus text format through prom-client
// (README "Metrics" lists every series). Counters are fed from the router's
// events directly and start at 0 with the process; gauges are read from the
// router's snapshot at each scrape. Labels: line, server, op, code, reason,
// state; never a csn, a station id, a body byte or a key.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RouterErrorCode } from '../dispatch/types.js';
import type { LinePhase, LinkPhase, RouterEvent, RouterSnapshot } from '../router/events.js';
import { BoundedValues } from './label-values.js';

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
  collectDefaultMetrics({ register: registry });
  const configured = [...configuredOps];
  const ops = new BoundedValues(configured, 256);
  const codes = new BoundedValues(ROUTER_CODES);
  const lineReasons = new BoundedValues();
  const linkReasons = new BoundedValues();
  const start = source.snapshot();
  const on = { registers: [registry] };

  const requests = new Counter({ name: 'persomux_requests_total', help: 'Requests taken from station lines (and peers), retransmissions not counted', labelNames: ['line', 'op'], ...on });
  const answers = new Counter({ name: 'persomux_answers_total', help: 'Answers sent to station lines, by code (ok or an error code)', labelNames: ['line', 'op', 'code'], ...on });
  const cards = new Counter({ name: 'persomux_cards_total', help: 'Cards made: ok answers to ops marked startsCard', ...on });
  const wait = new Histogram({ name: 'persomux_wait_for_server_seconds', help: 'Time from a request arriving to its dispatch to a server', labelNames: ['op'], buckets: TIME_BUCKETS_S, ...on });
  const answerTime = new Histogram({ name: 'persomux_time_to_answer_seconds', help: 'Time from a request arriving to its answer', labelNames: ['op'], buckets: TIME_BUCKETS_S, ...on });
  const lineDrops = new Counter({ name: 'persomux_frames_dropped_total', help: 'Frames dropped on station lines, by reason', labelNames: ['line', 'reason'], ...on });
  const bytesIn = new Counter({ name: 'persomux_line_received_bytes_total', help: 'Bytes read from station lines', labelNames: ['line'], ...on });
  const bytesOut = new Counter({ name: 'persomux_line_sent_bytes_total', help: 'Bytes written to station lines', labelNames: ['line'], ...on });
  const handshakes = new Counter({ name: 'persomux_link_handshakes_total', help: 'Completed handshakes of sealed server links', labelNames: ['server'], ...on });
  const linkDrops = new Counter({ name: 'persomux_link_drops_total', help: 'Frames dropped on server links, by reason', labelNames: ['server', 'reason'], ...on });

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
  for (const l of start.lines) for (const op of configured) requests.inc({ line: l.name, op }, 0);
  for (const s of start.servers) handshakes.inc({ server: s.name }, 0);
  const cardOps = new Set(start.cardOps);

  const unsubscribe = source.onEvent((e) => {
    switch (e.kind) {
      case 'traffic':
        (e.direction === 'in' ? bytesIn : bytesOut).inc({ line: e.line }, e.bytes);
        return;
      case 'line-drop':
        lineDrops.inc({ line: e.line, reason: lineReasons.learn(e.reason) });
        return;
      case 'link-drop':
        linkDrops.inc({ server: e.server, reason: linkReasons.learn(e.reason) });
        return;
      case 'handshake':
        handshakes.inc({ server: e.server });
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
        requests.inc({ line: n.line, op: ops.label(n.op) });
        return;
      case 'rejected': {
        const op = ops.label(n.op);
        requests.inc({ line: n.line, op });
        answers.inc({ line: n.line, op, code: codes.learn(n.code) });
        return;
      }
      case 'dispatched':
        wait.observe({ op: ops.label(n.op) }, n.waitMs / 1000);
        return;
      case 'answered': {
        const op = ops.label(n.op);
        answers.inc({ line: n.line, op, code: codes.learn(n.outcome) });
        answerTime.observe({ op }, n.totalMs / 1000);
        if (n.outcome === 'ok' && cardOps.has(n.op)) cards.inc();
        return;
      }
      default:
        return;
    }
  });
  return { registry, close: unsubscribe };
}
