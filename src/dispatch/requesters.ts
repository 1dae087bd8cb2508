// Who sends requests, and what each may still be told: the stations' lines
// and the peer routers' pseudo-lines, each with its requests in flight (by
// the id it chose) and its answer cache (PROTOCOL.md 2.1 rule 2). The one
// place a request gets its answer (`finish`), and the one place that decides
// what a requester hears (`tell`: a station everything, a peer only answers).
// Pure state, like the rest of dispatch/.
import type { Answer, RouterToStation } from '../wire/messages.js';
import { AnswerCache } from './answer-cache.js';
import type { ArrivalQueue } from './arrival-queue.js';
import { IdMap } from './id-map.js';
import type { Request } from './request.js';
import type { Effect, LineOptions, Note, RequesterKind, RouterErrorCode } from './types.js';

export interface LineState {
  readonly name: string;
  readonly kind: RequesterKind;
  readonly options: LineOptions;
  up: boolean;
  /** Requests the station may still be told about, by id. */
  readonly inFlight: IdMap<Request>;
  readonly cache: AnswerCache;
  /** What servers are told sent its requests (2.2 rule 4: `router-name/line-name`), made once. */
  readonly station: string;
}

export class Requesters {
  private readonly lines = new Map<string, LineState>();

  constructor(private readonly queue: ArrivalQueue) {}

  add(name: string, options: LineOptions, station: string): void {
    if (this.lines.has(name)) throw new Error(`line '${name}' added twice`);
    this.lines.set(name, { name, kind: options.kind ?? 'station', options, up: false, inFlight: new IdMap(), cache: new AnswerCache(), station });
  }

  /** The line is gone (a reload): what waits is dropped; answers of what is at a server are dropped when they come. */
  remove(name: string): Effect[] {
    const line = this.get(name);
    const effects = this.dropQueued(line, 'line-removed');
    for (const req of line.inFlight.values()) req.owned = false;
    this.lines.delete(name);
    return effects;
  }

  /** New limits for a line (a reload); its requests and answers stay. */
  retune(name: string, options: LineOptions): void {
    const line = this.get(name);
    this.lines.set(name, { ...line, options, kind: options.kind ?? line.kind });
  }

  has(name: string): boolean {
    return this.lines.has(name);
  }

  get(name: string): LineState {
    const line = this.lines.get(name);
    if (!line) throw new Error(`unknown line '${name}'`);
    return line;
  }

  values(): IterableIterator<LineState> {
    return this.lines.values();
  }

  /** Whether some requester may still be told about this request (it is in its line's in-flight map). */
  isPending(req: Request): boolean {
    return this.lines.get(req.line)?.inFlight.get(req.id) === req;
  }

  /** A message for whoever sends on this line: a station hears everything, a peer only answers. */
  tell(line: LineState, msg: RouterToStation): Effect[] {
    const effect = this.told(line, msg);
    return effect ? [effect] : [];
  }

  /** tell() as one effect or none: for the paths every request takes, without an array each. */
  told(line: LineState, msg: RouterToStation): Effect | undefined {
    if (line.kind === 'station') return { kind: 'to-station', line: line.name, msg };
    return msg.t === 'res' && msg.id !== null ? { kind: 'to-peer', peer: line.name, msg } : undefined;
  }

  /**
   * 2.1 rule 1: every well-formed req gets an ack, then exactly one res, so a
   * request refused at once (unknown-op, overloaded) gets both, back to back.
   * Refusals are not cached: the same request may succeed when retried later.
   */
  reject(line: LineState, id: number, op: string, code: RouterErrorCode, why: string): Effect[] {
    return [note({ event: 'rejected', line: line.name, id, op, code, why }), ...this.tell(line, { t: 'ack', id, q: 0 }), ...this.tell(line, errorAnswer(id, code, why))];
  }

  /** The one place a request gets its answer: exactly once, cached, sent if the line can hear it. */
  finish(req: Request, answer: Answer, now: number): Effect[] {
    if (req.state === 'queued') this.queue.remove(req);
    req.state = 'answered';
    if (!req.owned) return [];
    const line = this.get(req.line);
    line.inFlight.delete(req.id);
    line.cache.put(req.id, req.op, req.body, answer, now);
    const outcome = answer.ok ? 'ok' : answer.err.code;
    const effects: Effect[] = [note({ event: 'answered', line: line.name, id: req.id, op: req.op, outcome, totalMs: now - req.receivedAt })];
    const told = line.up ? this.told(line, answer) : undefined;
    if (told) effects.push(told);
    return effects;
  }

  /** The station reused the id for another request: the old one's answer must never reach it. */
  forget(line: LineState, req: Request): Effect[] {
    req.owned = false;
    line.inFlight.delete(req.id);
    if (req.state === 'queued') {
      this.queue.remove(req);
      req.state = 'answered';
    }
    return [note({ event: 'dropped', line: line.name, id: req.id, op: req.op, why: 'id-reused' })];
  }

  /** Requests never sent are dropped; those at a server finish there (their answers wait in the cache). */
  dropQueued(line: LineState, why: 'line-down' | 'hello' | 'line-removed'): Effect[] {
    const effects: Effect[] = [];
    for (const req of [...line.inFlight.values()]) {
      if (req.state !== 'queued') continue;
      this.queue.remove(req);
      req.state = 'answered';
      req.owned = false;
      line.inFlight.delete(req.id);
      effects.push(note({ event: 'dropped', line: line.name, id: req.id, op: req.op, why }));
    }
    return effects;
  }
}

export function note(n: Note): Effect {
  return { kind: 'note', note: n };
}

export function errorAnswer(id: number | null, code: RouterErrorCode, msg: string): Answer {
  return { t: 'res', id, ok: false, err: { code, msg } };
}
