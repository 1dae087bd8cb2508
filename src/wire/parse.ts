// Turns a frame body into a typed message (PROTOCOL.md section 2), or says
// exactly why not. Unknown keys are ignored; unknown `t` is its own outcome
// so the line can count it.
import { Fields, FieldError, CborScanError } from './fields.js';
import { NULL_BODY, type Handshake, type RawBody, type RouterToServer, type RouterToStation, type ServerToRouter, type StationMessage } from './messages.js';

export type Problem =
  /** Not a plain CBOR map with text keys: discarded and counted. */
  | { readonly kind: 'not-a-message'; readonly why: string }
  /** A `t` this side does not know: discarded and counted (forward compatibility). */
  | { readonly kind: 'unknown-type'; readonly t: string }
  /** A known `t` with a missing or ill-typed field. For a station `req` this is answered `bad-request`. */
  | { readonly kind: 'bad-field'; readonly t: string; readonly id: number | null; readonly why: string };

export type Parsed<M> = { readonly ok: true; readonly msg: M } | { readonly ok: false; readonly problem: Problem };

type Reader<M> = (f: Fields, t: string) => M | undefined;

function parseWith<M>(body: Uint8Array, reader: Reader<M>): Parsed<M> {
  let fields: Fields | null;
  try {
    fields = Fields.of(body);
  } catch (e) {
    const why = e instanceof CborScanError ? e.message : 'malformed CBOR';
    return { ok: false, problem: { kind: 'not-a-message', why } };
  }
  if (!fields) return { ok: false, problem: { kind: 'not-a-message', why: 'not a map with text keys' } };
  let t: string | undefined;
  try {
    t = fields.required('t', fields.text('t'));
    const msg = reader(fields, t);
    if (msg === undefined) return { ok: false, problem: { kind: 'unknown-type', t } };
    return { ok: true, msg };
  } catch (e) {
    // Whatever the bytes, a parser answers with a problem; it never throws at the line.
    if (!(e instanceof FieldError)) return { ok: false, problem: { kind: 'not-a-message', why: e instanceof Error ? e.message : 'unreadable' } };
    if (t === undefined) return { ok: false, problem: { kind: 'not-a-message', why: e.message } };
    return { ok: false, problem: { kind: 'bad-field', t, id: idIfValid(fields), why: e.message } };
  }
}

function idIfValid(f: Fields): number | null {
  try {
    return f.uint('id') ?? null;
  } catch {
    return null;
  }
}

const body = (f: Fields): RawBody | undefined => f.rawValue('body');
const n = (f: Fields): number => f.required('n', f.uint('n'));

export function parseStationMessage(bytes: Uint8Array): Parsed<StationMessage> {
  return parseWith<StationMessage>(bytes, (f, t) => {
    switch (t) {
      case 'hello': {
        const station = f.text('station');
        return { t, v: f.required('v', f.uint('v')), ...(station === undefined ? {} : { station }) };
      }
      case 'req': {
        const id = f.required('id', f.uint('id'));
        const op = f.required('op', f.text('op'));
        if (op.length === 0) throw new FieldError('op', 'must not be empty');
        const ttl = f.uint('ttl');
        const b = body(f);
        // Spelled out rather than spread: a request is parsed per frame, and each spread built an object.
        if (b === undefined) return ttl === undefined ? { t, id, op } : { t, id, op, ttl };
        return ttl === undefined ? { t, id, op, body: b } : { t, id, op, body: b, ttl };
      }
      case 'ping':
        return { t, n: n(f) };
      default:
        return undefined;
    }
  });
}

export function parseServerMessage(bytes: Uint8Array): Parsed<ServerToRouter> {
  return parseWith<ServerToRouter>(bytes, (f, t) => {
    switch (t) {
      case 'ready':
        return { t, slots: f.required('slots', f.uint('slots')), ops: f.required('ops', f.textArray('ops')) };
      case 'res':
        return parseRes(f, f.required('id', f.uint('id')));
      case 'ping':
      case 'pong':
        return { t, n: n(f) };
      default:
        return undefined;
    }
  });
}

/** What a data server reads from a router (used by the reference data server). */
export function parseRouterToServer(bytes: Uint8Array): Parsed<RouterToServer> {
  return parseWith<RouterToServer>(bytes, (f, t) => {
    switch (t) {
      case 'req': {
        const b = body(f);
        const id = f.required('id', f.uint('id'));
        const op = f.required('op', f.text('op'));
        const station = f.required('station', f.text('station'));
        // Both name things in the server's audit trail: neither may be empty.
        if (op.length === 0) throw new FieldError('op', 'must not be empty');
        if (station.length === 0) throw new FieldError('station', 'must not be empty');
        return {
          t,
          id,
          op,
          station,
          ttl: f.required('ttl', f.uint('ttl')),
          ...(b === undefined ? {} : { body: b }),
        };
      }
      case 'ping':
      case 'pong':
        return { t, n: n(f) };
      default:
        return undefined;
    }
  });
}

/** What a station reads from the router (used by simulated stations and test peers). */
export function parseRouterToStation(bytes: Uint8Array): Parsed<RouterToStation> {
  return parseWith<RouterToStation>(bytes, (f, t) => {
    switch (t) {
      case 'welcome': {
        if (f.required('v', f.uint('v')) !== 1) throw new FieldError('v', 'must be 1 (protocol version 1)');
        return { t, v: 1, router: f.required('router', f.text('router')), line: f.required('line', f.text('line')) };
      }
      case 'ack':
        return { t, id: f.required('id', f.uint('id')), q: f.required('q', f.uint('q')) };
      case 'res':
        return parseRes(f, f.has('id') && f.rawValue('id')?.[0] === 0xf6 ? null : f.required('id', f.uint('id')));
      case 'pong':
        return { t, n: n(f) };
      default:
        return undefined;
    }
  });
}

function parseRes<I extends number | null>(f: Fields, id: I) {
  const ok = f.required('ok', f.bool('ok'));
  // A success without a body is read as null rather than lost: the request still gets its one answer.
  if (ok) return { t: 'res' as const, id, ok: true as const, body: body(f) ?? NULL_BODY };
  return { t: 'res' as const, id, ok: false as const, err: f.required('err', f.error('err')) };
}

/** The handshake of PROTOCOL.md 3: `open` (router to server) and `opened` (back). */
export function parseHandshake(bytes: Uint8Array): Parsed<Handshake> {
  return parseWith<Handshake>(bytes, (f, t) => {
    if (t !== 'open' && t !== 'opened') return undefined;
    if (f.required('v', f.uint('v')) !== 1) throw new FieldError('v', 'must be 1 (protocol version 1)');
    return { t, v: 1, kid: f.required('kid', f.bytes('kid', 0, 7)), r: f.required('r', f.bytes('r', 8, 8)) };
  });
}
