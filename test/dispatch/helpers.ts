// Builds a Dispatcher for a test and picks effects apart. Not a test file.
import { Dispatcher } from '../../src/dispatch/dispatcher.js';
import type { Effect, Note, OpPolicy } from '../../src/dispatch/types.js';
import { decodeCbor, encodeCbor } from '../../src/wire/cbor.js';
import type { Answer, ErrorInfo, RawBody, RouterToServer, RouterToStation } from '../../src/wire/messages.js';

export const ROUTER = 'r1';

export type ServerReq = Extract<RouterToServer, { t: 'req' }>;
export type Ack = Extract<RouterToStation, { t: 'ack' }>;

export interface Setup {
  /** Configured ops; default `{ echo: { ttlMs: 1000, retry: false } }`. */
  readonly ops?: Record<string, OpPolicy>;
  /** Line name -> maxOutstanding; default `{ L1: 8 }`. Every line is brought up. */
  readonly lines?: Record<string, number>;
  readonly defaultPolicy?: OpPolicy;
  readonly startedAt?: number;
  readonly maxServerBody?: number;
  readonly maxTtlMs?: number;
}

export function makeDispatcher(setup: Setup = {}): Dispatcher {
  const ops = setup.ops ?? { echo: { ttlMs: 1000, retry: false } };
  const d = new Dispatcher({
    ops: new Map(Object.entries(ops)),
    defaultPolicy: setup.defaultPolicy ?? { ttlMs: 5000, retry: false },
    routerName: ROUTER,
    startedAt: setup.startedAt ?? 0,
    maxServerBody: setup.maxServerBody ?? 4096,
    maxTtlMs: setup.maxTtlMs ?? 3_600_000,
  });
  for (const [name, maxOutstanding] of Object.entries(setup.lines ?? { L1: 8 })) {
    d.addLine(name, { maxOutstanding });
    d.lineUp(name);
  }
  return d;
}

/** serverConnected + serverReady. */
export function readyServer(d: Dispatcher, name: string, slots: number, ops: readonly string[], now: number): Effect[] {
  d.serverConnected(name, now);
  return d.serverReady(name, slots, ops, now);
}

/** A CBOR body `{n}` that tests can recognise again on the server side. */
export function body(n: number | string): RawBody {
  return encodeCbor({ n });
}

/** The `n` of a body made by `body()`. */
export function label(b: RawBody | undefined): number | string | undefined {
  if (b === undefined) return undefined;
  return (decodeCbor(b) as { n: number | string }).n;
}

export function bytes(b: Uint8Array | undefined): number[] | undefined {
  return b === undefined ? undefined : [...b];
}

export function toStation(effects: readonly Effect[], line?: string): RouterToStation[] {
  const out: RouterToStation[] = [];
  for (const e of effects) if (e.kind === 'to-station' && (line === undefined || e.line === line)) out.push(e.msg);
  return out;
}

export function acks(effects: readonly Effect[], line?: string): Ack[] {
  return toStation(effects, line).filter((m): m is Ack => m.t === 'ack');
}

export function results(effects: readonly Effect[], line?: string): Answer[] {
  return toStation(effects, line).filter((m): m is Answer => m.t === 'res');
}

/** Codes of the error results, in order. */
export function errorCodes(effects: readonly Effect[], line?: string): string[] {
  return results(effects, line).map((r) => (r.ok ? 'ok' : r.err.code));
}

export interface Sent {
  readonly server: string;
  readonly msg: ServerReq;
}

export function toServer(effects: readonly Effect[], server?: string): Sent[] {
  const out: Sent[] = [];
  for (const e of effects) {
    if (e.kind === 'to-server' && e.msg.t === 'req' && (server === undefined || e.server === server)) out.push({ server: e.server, msg: e.msg });
  }
  return out;
}

/** The labels of the bodies sent to servers, in order. */
export function sentLabels(effects: readonly Effect[], server?: string): (number | string | undefined)[] {
  return toServer(effects, server).map((s) => label(s.msg.body));
}

/** Exactly one request went to a server: return it (fails the test otherwise). */
export function onlySent(effects: readonly Effect[]): Sent {
  const sent = toServer(effects);
  if (sent.length !== 1) throw new Error(`expected exactly one request sent to a server, got ${sent.length}`);
  return sent[0]!;
}

export function notes(effects: readonly Effect[], event?: Note['event']): Note[] {
  const out: Note[] = [];
  for (const e of effects) if (e.kind === 'note' && (event === undefined || e.note.event === event)) out.push(e.note);
  return out;
}

export function ok(b: RawBody): { ok: true; body: RawBody } {
  return { ok: true, body: b };
}

export function err(code: string, msg: string): { ok: false; err: ErrorInfo } {
  return { ok: false, err: { code, msg } };
}

/** Answers a request the dispatcher sent, echoing its body back. */
export function echo(d: Dispatcher, sent: Sent, now: number): Effect[] {
  return d.serverAnswer(sent.server, sent.msg.id, ok(sent.msg.body ?? encodeCbor(null)), now);
}
