// INTERIM (issue 9): the simplest honest status model, router events in and
// a StatusView out, so the status page, /status.json and `persomux status`
// can be built and tested before the real model of issue 8 lands. The lead
// replaces this file by that model at merge (one import in
// src/http/status-interface.ts); nothing else depends on its insides.
//
// Current state (phases, station, slots, queue by op) is read from the
// router's snapshot when a view is taken; counters, recent errors and answer
// times are kept from the events.
import type { RouterEvent, RouterSnapshot } from '../router/events.js';
import type { LedPattern, LineState, LineView, RouterState, ServerState, ServerView, StatusView } from './view.js';

/** What the model needs of a router: the status seam (src/router/events.ts). */
export interface ModelSource {
  snapshot(): RouterSnapshot;
  onEvent(listener: (event: RouterEvent, now: number) => void): () => void;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Answer times kept per line for p50/p99. */
const RECENT_ANSWERS = 256;
/** How long a locate keeps a line's lamp in the locate pattern. */
export const LOCATE_MS = 30_000;

const LINE_PATTERN: Record<LineState, LedPattern> = {
  stopped: 'off',
  'device-missing': 'fast-blink',
  errors: 'fast-blink',
  'waiting-for-server': 'slow-blink',
  'in-flight': 'on',
  idle: 'on',
  'no-station': 'off',
};
const SERVER_PATTERN: Record<ServerState, LedPattern> = { down: 'fast-blink', handshaking: 'slow-blink', ready: 'on', busy: 'on', draining: 'slow-blink' };
const ROUTER_PATTERN: Record<RouterState, LedPattern> = { starting: 'slow-blink', running: 'on', stopping: 'off', fault: 'fast-blink' };

interface LineCounters {
  requests: number;
  answers: Record<string, number>;
  drops: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
  /** Times of recent errors (drops, bad requests, timeouts), oldest first. */
  errorTimes: number[];
  lastError?: { at: number; what: string };
  answerMs: number[];
  lastTrafficAt?: number;
  /** Requests of this line waiting in the arrival queue, by id. */
  queued: Set<number>;
  /** The station showed itself (hello, or a request). */
  seen: boolean;
  locateUntil?: number;
}

interface ServerCounters {
  requests: number;
  errors: number;
  handshakes: number;
  drops: Record<string, number>;
}

export class InterimStatusModel {
  private readonly lines = new Map<string, LineCounters>();
  private readonly servers = new Map<string, ServerCounters>();
  /** Cards and requests by second (monotonic), for cards/hour and requests/s. */
  private readonly cardTimes: number[] = [];
  private readonly requestTimes: number[] = [];
  private cardsTotal = 0;
  private requestsTotal = 0;
  private readonly cardOps: Set<string>;
  /** Which server holds each dispatched request (line, id), so an error answer counts against it. */
  private readonly heldBy = new Map<string, string>();
  private readonly unsubscribe: () => void;
  private readonly startedAt: number;

  constructor(
    private readonly source: ModelSource,
    private readonly version: string,
    private readonly clock: () => number = () => Math.floor(performance.now()),
  ) {
    this.startedAt = clock();
    const s = source.snapshot();
    this.cardOps = new Set(s.cardOps);
    for (const l of s.lines) this.lines.set(l.name, { requests: 0, answers: {}, drops: {}, bytesIn: 0, bytesOut: 0, errorTimes: [], answerMs: [], queued: new Set(), seen: l.station !== undefined });
    for (const x of s.servers) this.servers.set(x.name, { requests: 0, errors: 0, handshakes: 0, drops: {} });
    this.unsubscribe = source.onEvent((e, now) => this.apply(e, now));
  }

  close(): void {
    this.unsubscribe();
  }

  /** An operator's locate: the line's lamp shows the locate pattern for LOCATE_MS. False for an unknown line. */
  locate(line: string): boolean {
    const l = this.lines.get(line);
    if (!l) return false;
    l.locateUntil = this.clock() + LOCATE_MS;
    return true;
  }

  private apply(e: RouterEvent, now: number): void {
    switch (e.kind) {
      case 'station': {
        const l = this.lines.get(e.line);
        if (l) l.seen = true;
        return;
      }
      case 'traffic': {
        const l = this.lines.get(e.line);
        if (!l) return;
        if (e.direction === 'in') l.bytesIn += e.bytes;
        else l.bytesOut += e.bytes;
        l.lastTrafficAt = now;
        return;
      }
      case 'line-drop': {
        const l = this.lines.get(e.line);
        if (!l) return;
        l.drops[e.reason] = (l.drops[e.reason] ?? 0) + 1;
        this.lineError(l, now, `frame dropped: ${e.reason}`);
        return;
      }
      case 'link-drop': {
        const x = this.servers.get(e.server);
        if (x) x.drops[e.reason] = (x.drops[e.reason] ?? 0) + 1;
        return;
      }
      case 'handshake': {
        const x = this.servers.get(e.server);
        if (x) x.handshakes++;
        return;
      }
      case 'note':
        return this.applyNote(e.note, now);
      default:
        return; // phases and drains are read from the snapshot
    }
  }

  private applyNote(n: Extract<RouterEvent, { kind: 'note' }>['note'], now: number): void {
    switch (n.event) {
      case 'queued':
      case 'rejected': {
        const l = this.lines.get(n.line);
        this.requestsTotal++;
        this.requestTimes.push(now);
        if (!l) return;
        l.requests++;
        l.seen = true;
        if (n.event === 'queued') l.queued.add(n.id);
        else {
          l.answers[n.code] = (l.answers[n.code] ?? 0) + 1;
          this.lineError(l, now, `${n.code}: ${n.why}`);
        }
        return;
      }
      case 'requeued':
        this.heldBy.delete(`${n.line}\u0000${n.id}`);
        this.lines.get(n.line)?.queued.add(n.id);
        return;
      case 'dispatched': {
        this.heldBy.set(`${n.line}\u0000${n.id}`, n.server);
        this.lines.get(n.line)?.queued.delete(n.id);
        const x = this.servers.get(n.server);
        if (x) x.requests++;
        return;
      }
      case 'dropped':
        this.heldBy.delete(`${n.line}\u0000${n.id}`);
        this.lines.get(n.line)?.queued.delete(n.id);
        return;
      case 'answered': {
        const l = this.lines.get(n.line);
        const key = `${n.line}\u0000${n.id}`;
        const server = this.servers.get(this.heldBy.get(key) ?? '');
        this.heldBy.delete(key);
        if (server && n.outcome !== 'ok') server.errors++;
        if (n.outcome === 'ok' && this.cardOps.has(n.op)) {
          this.cardsTotal++;
          this.cardTimes.push(now);
        }
        if (!l) return;
        l.queued.delete(n.id);
        l.answers[n.outcome] = (l.answers[n.outcome] ?? 0) + 1;
        l.answerMs.push(n.totalMs);
        if (l.answerMs.length > RECENT_ANSWERS) l.answerMs.shift();
        if (n.outcome !== 'ok') this.lineError(l, now, `answered ${n.outcome} (${n.op})`);
        return;
      }
      default:
        return;
    }
  }

  private lineError(l: LineCounters, now: number, what: string): void {
    l.errorTimes.push(now);
    l.lastError = { at: now, what };
  }

  view(): StatusView {
    const now = this.clock();
    const s = this.source.snapshot();
    prune(this.cardTimes, now - HOUR_MS);
    prune(this.requestTimes, now - 10_000);
    const uptimeMs = now - this.startedAt;
    const windowMs = Math.max(MINUTE_MS, Math.min(uptimeMs, HOUR_MS));
    const state: RouterState = s.phase === 'running' ? 'running' : s.phase === 'starting' ? 'starting' : 'stopping';
    return {
      at: now,
      wallTime: new Date().toISOString(),
      site: {
        router: s.router,
        state,
        pattern: ROUTER_PATTERN[state],
        version: this.version,
        uptimeMs,
        cardsPerHour: Math.round((this.cardTimes.length * HOUR_MS) / windowMs),
        cardsTotal: this.cardsTotal,
        requestsTotal: this.requestsTotal,
        requestsPerSecond: Math.round((this.requestTimes.length / Math.max(1, Math.min(uptimeMs, 10_000) / 1000)) * 10) / 10,
        queuedByOp: Object.fromEntries(s.dispatch.queued),
      },
      lines: s.lines.map((l) => this.lineView(l, s, now)),
      servers: s.servers.map((x) => this.serverView(x, s)),
    };
  }

  private lineView(l: RouterSnapshot['lines'][number], s: RouterSnapshot, now: number): LineView {
    const c = this.lines.get(l.name)!;
    prune(c.errorTimes, now - MINUTE_MS);
    const inFlight = s.dispatch.lines.find((d) => d.name === l.name)?.inFlight ?? 0;
    const state: LineState =
      s.phase === 'stopping' || s.phase === 'stopped' || l.phase === 'stopped'
        ? 'stopped'
        : l.phase === 'waiting'
          ? 'device-missing'
          : c.errorTimes.length > 0
            ? 'errors'
            : c.queued.size > 0
              ? 'waiting-for-server'
              : inFlight > 0
                ? 'in-flight'
                : c.seen || l.station !== undefined
                  ? 'idle'
                  : 'no-station';
    const locating = c.locateUntil !== undefined && c.locateUntil > now;
    const sorted = [...c.answerMs].sort((a, b) => a - b);
    return {
      name: l.name,
      path: l.path,
      state,
      pattern: locating ? 'locate' : LINE_PATTERN[state],
      ...(l.phase === 'waiting' ? { why: 'the device is missing or failed to open; the router retries' } : {}),
      ...(l.station === undefined ? {} : { station: l.station }),
      queued: c.queued.size,
      inFlight,
      requests: c.requests,
      answers: { ...c.answers },
      drops: { ...c.drops },
      bytesIn: c.bytesIn,
      bytesOut: c.bytesOut,
      errorsLastMinute: c.errorTimes.length,
      ...(c.lastError ? { lastError: { ...c.lastError } } : {}),
      ...(sorted.length > 0 ? { p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) } : {}),
      ...(c.lastTrafficAt === undefined ? {} : { lastTrafficAt: c.lastTrafficAt }),
      ...(locating ? { locateUntil: c.locateUntil! } : {}),
    };
  }

  private serverView(x: RouterSnapshot['servers'][number], s: RouterSnapshot): ServerView {
    const c = this.servers.get(x.name)!;
    const d = s.dispatch.servers.find((v) => v.name === x.name);
    const state: ServerState =
      x.phase === 'handshaking'
        ? 'handshaking'
        : x.phase !== 'open' || !d
          ? 'down'
          : x.drainedBy !== undefined
            ? 'draining'
            : d.slots > 0 && d.busy >= d.slots
              ? 'busy'
              : d.available
                ? 'ready'
                : 'down';
    return {
      name: x.name,
      address: x.address,
      sealed: x.sealed,
      state,
      pattern: SERVER_PATTERN[state],
      slots: d?.slots ?? 0,
      busy: d?.busy ?? 0,
      ops: d?.ops ?? [],
      requests: c.requests,
      errors: c.errors,
      handshakes: c.handshakes,
      drops: { ...c.drops },
      ...(x.drainedBy === undefined ? {} : { drainedBy: x.drainedBy }),
    };
  }
}

function prune(times: number[], before: number): void {
  let i = 0;
  while (i < times.length && times[i]! < before) i++;
  if (i > 0) times.splice(0, i);
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
