// The registry /metrics renders: prom-client's default process metrics
// (default-metrics.ts), the router's tallies (metrics.ts) and gauges read
// from its snapshot at each scrape. Loaded at the first scrape only
// (metrics.ts). Registration order is the exposition's order.
import { Gauge, Registry } from 'prom-client';
import type { LinePhase, LinkPhase, RouterSnapshot } from '../router/events.js';
import { registerDefaultMetrics } from './default-metrics.js';
import type { BoundedValues } from './label-values.js';
import type { MetricTallies } from './metrics.js';
import { tallyCounter, tallyHistogram, totalCounter } from './tally-metrics.js';

const LINE_PHASES: readonly LinePhase[] = ['stopped', 'opening', 'open', 'waiting'];
const LINK_PHASES: readonly LinkPhase[] = ['stopped', 'connecting', 'handshaking', 'open', 'waiting'];

/** `ops`: the op label values (configured ops and those servers announce, bounded). */
export function buildRegistry(t: MetricTallies, snap: () => RouterSnapshot, ops: BoundedValues): Registry {
  const registry = new Registry();
  registerDefaultMetrics(registry);
  const on = { registers: [registry] };
  tallyCounter(registry, 'persomux_requests_total', 'Requests taken from station lines (and peers), retransmissions not counted', t.requests);
  tallyCounter(registry, 'persomux_answers_total', 'Answers sent to station lines, by code (ok or an error code)', t.answers);
  totalCounter(registry, 'persomux_cards_total', 'Cards made: ok answers to ops marked startsCard', t.cards);
  tallyHistogram(registry, 'persomux_wait_for_server_seconds', 'Time from a request arriving to its dispatch to a server', t.wait);
  tallyHistogram(registry, 'persomux_time_to_answer_seconds', 'Time from a request arriving to its answer', t.answerTime);
  tallyCounter(registry, 'persomux_frames_dropped_total', 'Frames dropped on station lines, by reason', t.lineDrops);
  tallyCounter(registry, 'persomux_line_received_bytes_total', 'Bytes read from station lines', t.bytesIn);
  tallyCounter(registry, 'persomux_line_sent_bytes_total', 'Bytes written to station lines', t.bytesOut);
  tallyCounter(registry, 'persomux_link_handshakes_total', 'Completed handshakes of sealed server links', t.handshakes);
  tallyCounter(registry, 'persomux_link_drops_total', 'Frames dropped on server links, by reason', t.linkDrops);

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

  return registry;
}
