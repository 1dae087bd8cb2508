// The status model: the router's events in, one StatusView out. Pure: no
// I/O, no timers; the caller passes the monotonic time of each event and of
// each view. Every view (LED panel, status page, metrics) reads this.
//
// Requests already in flight when the model starts (in the snapshot) are
// not known one by one: counts start from the first event.
import type { Note } from '../dispatch/types.js';
import type { RouterEvent, RouterPhase, RouterSnapshot } from '../router/events.js';
import { LineRecord } from './line-record.js';
import { LOCATE_MS, ROUTER_PATTERNS } from './patterns.js';
import { ServerRecord } from './server-record.js';
import type { RouterState, StatusView } from './view.js';
import { RecentCount } from './windows.js';

export interface StatusModelOptions {
  /** Monotonic time the router started (uptime counts from it). */
  readonly startedAt: number;
  readonly version?: string;
  /** Wall-clock ms at monotonic time `now`, for the view's `wallTime` (default: Date.now()). */
  readonly wallClock?: (now: number) => number;
}

export interface StatusModel {
  apply(event: RouterEvent, now: number): void;
  /** An operator asks to find a line on the box: its lamp shows `locate` for 30 s. False for an unknown line. */
  locate(line: string, now: number): boolean;
  view(now: number): StatusView;
}

/** requests/s over the last 10 s; cards/h over the last hour. */
const REQUEST_RATE = { bucketMs: 1_000, buckets: 10 };
const CARD_RATE = { bucketMs: 10_000, buckets: 360 };

export function createStatusModel(snapshot: RouterSnapshot, options: StatusModelOptions): StatusModel {
  const lines = new Map(snapshot.lines.map((l) => [l.name, new LineRecord(l.name, l.path, l.phase, l.station)]));
  const servers = new Map(snapshot.servers.map((s) => [s.name, new ServerRecord(s.name, s.address, s.sealed, s.phase)]));
  for (const s of snapshot.dispatch.servers) {
    const rec = servers.get(s.name);
    if (!rec) continue;
    rec.ready = s.available || s.slots > 0;
    rec.slots = s.slots;
    rec.ops = s.ops;
  }
  for (const s of snapshot.servers) if (s.drainedBy) servers.get(s.name)!.drainedBy = s.drainedBy;
  const cardOps = new Set(snapshot.cardOps);
  let phase: RouterPhase = snapshot.phase;
  let requestsTotal = 0;
  let cardsTotal = 0;
  const requestRate = new RecentCount(REQUEST_RATE.bucketMs, REQUEST_RATE.buckets);
  const cardRate = new RecentCount(CARD_RATE.bucketMs, CARD_RATE.buckets);

  function note(n: Note, now: number): void {
    if (!('line' in n)) return serverNote(n);
    const line = lines.get(n.line);
    if (!line) return; // a peer router's line (PROTOCOL.md 2.2, peers): not a lamp of this box
    switch (n.event) {
      case 'queued':
        line.pending.set(n.id, { op: n.op, server: undefined });
        line.requests++;
        line.spoke = true;
        requestsTotal++;
        requestRate.add(now);
        return;
      case 'dispatched': {
        const p = line.pending.get(n.id);
        if (p) p.server = n.server;
        const s = servers.get(n.server);
        if (s) s.requests++;
        return;
      }
      case 'requeued': {
        const p = line.pending.get(n.id);
        if (p) p.server = undefined;
        return;
      }
      case 'answered': {
        const p = line.pending.take(n.id);
        line.answers[n.outcome] = (line.answers[n.outcome] ?? 0) + 1;
        line.latency.add(n.totalMs);
        if (n.outcome === 'timeout') line.error(now, `request ${n.id} (${n.op}) timed out`);
        if (n.outcome !== 'ok' && p?.server) servers.get(p.server)!.errors++;
        if (n.outcome === 'ok' && cardOps.has(n.op)) {
          cardsTotal++;
          cardRate.add(now);
        }
        return;
      }
      case 'rejected':
        if (n.id !== null) line.pending.delete(n.id);
        line.answers[n.code] = (line.answers[n.code] ?? 0) + 1;
        line.requests++;
        line.spoke = true;
        requestsTotal++;
        requestRate.add(now);
        line.error(now, `${n.code}: ${n.why}`);
        return;
      case 'dropped':
        line.pending.delete(n.id);
        return;
      case 'retransmission':
        return;
    }
  }

  function serverNote(n: Extract<Note, { server: string }>): void {
    const s = servers.get(n.server);
    if (!s) return;
    if (n.event === 'server-available') {
      s.ready = true;
      s.slots = n.slots;
      s.ops = n.ops;
    } else if (n.event === 'server-down') {
      s.ready = false;
    }
  }

  function apply(e: RouterEvent, now: number): void {
    switch (e.kind) {
      case 'router':
        phase = e.phase;
        return;
      case 'line':
        lines.get(e.line)?.portChanged(e.phase, e.why);
        return;
      case 'station': {
        const line = lines.get(e.line);
        if (line) {
          line.station = e.station;
          line.spoke = true;
        }
        return;
      }
      case 'traffic': {
        const line = lines.get(e.line);
        if (!line) return;
        if (e.direction === 'in') {
          line.bytesIn += e.bytes;
          // Something is on the other end: a nameless hello or a ping gives no other event.
          line.spoke = true;
        } else {
          line.bytesOut += e.bytes;
        }
        line.lastTrafficAt = now;
        return;
      }
      case 'line-drop': {
        const line = lines.get(e.line);
        if (!line) return;
        line.drops[e.reason] = (line.drops[e.reason] ?? 0) + 1;
        line.error(now, `dropped frame: ${e.reason}`);
        return;
      }
      case 'link':
        servers.get(e.server)?.linkChanged(e.phase, e.why);
        return;
      case 'link-drop': {
        const s = servers.get(e.server);
        if (!s) return;
        s.drops[e.reason] = (s.drops[e.reason] ?? 0) + 1;
        s.errors++;
        return;
      }
      case 'handshake': {
        const s = servers.get(e.server);
        if (!s) return;
        s.handshakes++;
        if (s.drainedBy === 'rehandshake') s.drainedBy = undefined;
        return;
      }
      case 'drain': {
        const s = servers.get(e.server);
        if (s) s.drainedBy = e.draining ? e.cause : undefined;
        return;
      }
      case 'note':
        note(e.note, now);
        return;
    }
  }

  function routerState(): RouterState {
    if (phase === 'starting') return 'starting';
    if (phase === 'stopping' || phase === 'stopped') return 'stopping';
    const anyReady = [...servers.values()].some((s) => s.phase === 'open' && s.ready);
    return servers.size > 0 && !anyReady ? 'fault' : 'running';
  }

  function view(now: number): StatusView {
    const busy = new Map<string, number>();
    const queuedByOp: Record<string, number> = {};
    for (const line of lines.values()) {
      for (const p of line.pending.values()) {
        if (p.server === undefined) queuedByOp[p.op] = (queuedByOp[p.op] ?? 0) + 1;
        else busy.set(p.server, (busy.get(p.server) ?? 0) + 1);
      }
    }
    const uptimeMs = Math.max(0, now - options.startedAt);
    // Over the window, or the uptime while it is shorter; never less than one bucket.
    const span = (w: RecentCount, bucketMs: number): number => Math.max(bucketMs, Math.min(uptimeMs, w.windowMs));
    const state = routerState();
    return {
      at: now,
      wallTime: new Date(options.wallClock ? options.wallClock(now) : Date.now()).toISOString(),
      site: {
        router: snapshot.router,
        state,
        pattern: ROUTER_PATTERNS[state].pattern,
        version: options.version ?? '0.0.0',
        uptimeMs,
        cardsPerHour: Math.round((cardRate.total(now) * 3_600_000) / span(cardRate, CARD_RATE.bucketMs)),
        cardsTotal,
        requestsTotal,
        requestsPerSecond: Math.round((requestRate.total(now) * 10_000) / span(requestRate, REQUEST_RATE.bucketMs)) / 10,
        queuedByOp,
      },
      lines: [...lines.values()].map((l) => l.view(now)),
      servers: [...servers.values()].map((s) => s.view(busy.get(s.name) ?? 0)),
    };
  }

  function locate(name: string, now: number): boolean {
    const line = lines.get(name);
    if (!line) return false;
    line.locateUntil = now + LOCATE_MS;
    return true;
  }

  return { apply, locate, view };
}
