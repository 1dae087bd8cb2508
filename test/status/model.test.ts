// The status model from plain events: each state by precedence, the counters and windows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createStatusModel } from '../../src/status/model.js';
import type { StatusModel } from '../../src/status/model.js';
import { n, snapshot, upEvents } from './helpers.js';

function model(): StatusModel {
  const m = createStatusModel(snapshot(), { startedAt: 0, version: '1.2.3', wallClock: (now) => 1_700_000_000_000 + now });
  for (const e of upEvents(['m1-s1', 'm1-s2'], ['ds1'])) m.apply(e, 10);
  return m;
}
const line = (m: StatusModel, name: string, now: number) => m.view(now).lines.find((l) => l.name === name)!;
const server = (m: StatusModel, name: string, now: number) => m.view(now).servers.find((s) => s.name === name)!;

test('a line goes no-station -> idle -> waiting -> in flight -> idle, and its pattern follows the table', () => {
  const m = createStatusModel(snapshot(), { startedAt: 0 });
  assert.is(line(m, 'm1-s1', 0).state, 'device-missing');
  assert.is(line(m, 'm1-s1', 0).pattern, 'off');
  for (const e of upEvents(['m1-s1', 'm1-s2'], ['ds1'])) m.apply(e, 10);
  assert.is(line(m, 'm1-s1', 20).state, 'no-station');
  m.apply({ kind: 'station', line: 'm1-s1', station: 'press-7' }, 30);
  assert.equal([line(m, 'm1-s1', 31).state, line(m, 'm1-s1', 31).station], ['idle', 'press-7']);
  m.apply(n({ event: 'queued', line: 'm1-s1', id: 1, op: 'echo', ahead: 0 }), 40);
  assert.equal([line(m, 'm1-s1', 41).state, line(m, 'm1-s1', 41).pattern, line(m, 'm1-s1', 41).queued], ['waiting-for-server', 'slow-blink', 1]);
  assert.equal(m.view(41).site.queuedByOp, { echo: 1 });
  m.apply(n({ event: 'dispatched', line: 'm1-s1', id: 1, op: 'echo', server: 'ds1', waitMs: 5 }), 45);
  assert.equal([line(m, 'm1-s1', 46).state, line(m, 'm1-s1', 46).pattern, line(m, 'm1-s1', 46).inFlight], ['in-flight', 'on', 1]);
  assert.equal(server(m, 'ds1', 46).busy, 1);
  m.apply(n({ event: 'answered', line: 'm1-s1', id: 1, op: 'echo', outcome: 'ok', totalMs: 12 }), 52);
  const l = line(m, 'm1-s1', 53);
  assert.equal([l.state, l.inFlight, l.answers, l.p50Ms, l.p99Ms, l.requests], ['idle', 0, { ok: 1 }, 12, 12, 1]);
  assert.is(server(m, 'ds1', 53).busy, 0);
});

test('errors in the last minute outrank waiting and in flight, and end a minute later', () => {
  const m = model();
  m.apply(n({ event: 'queued', line: 'm1-s1', id: 1, op: 'echo', ahead: 0 }), 1_000);
  m.apply({ kind: 'line-drop', line: 'm1-s1', reason: 'bad-crc' }, 1_500);
  let l = line(m, 'm1-s1', 1_600);
  assert.equal([l.state, l.pattern, l.errorsLastMinute, l.drops, l.lastError?.what], ['errors', 'fast-blink', 1, { 'bad-crc': 1 }, 'dropped frame: bad-crc']);
  m.apply(n({ event: 'rejected', line: 'm1-s2', id: 9, op: 'nope', code: 'unknown-op', why: 'no server offers nope' }), 2_000);
  m.apply(n({ event: 'answered', line: 'm1-s2', id: 3, op: 'echo', outcome: 'timeout', totalMs: 2000 }), 30_000);
  assert.is(line(m, 'm1-s2', 30_001).errorsLastMinute, 2);
  assert.is(line(m, 'm1-s1', 59_000).state, 'errors');
  l = line(m, 'm1-s1', 62_500);
  assert.equal([l.state, l.errorsLastMinute], ['waiting-for-server', 0]);
  assert.is(line(m, 'm1-s2', 62_500).errorsLastMinute, 1, 'the timeout at 30 s still counts');
  assert.is(line(m, 'm1-s2', 91_000).state, 'idle');
});

test('device missing outranks everything but stopped; a reopened port forgets its station and pending work', () => {
  const m = model();
  m.apply({ kind: 'station', line: 'm1-s1', station: 'x' }, 20);
  m.apply(n({ event: 'queued', line: 'm1-s1', id: 1, op: 'echo', ahead: 0 }), 20);
  m.apply({ kind: 'line-drop', line: 'm1-s1', reason: 'bad-crc' }, 21);
  m.apply({ kind: 'line', line: 'm1-s1', phase: 'waiting', why: 'ENOENT' }, 30);
  let l = line(m, 'm1-s1', 31);
  assert.equal([l.state, l.pattern, l.why, l.station, l.queued], ['device-missing', 'off', 'ENOENT', undefined, 0]);
  m.apply({ kind: 'line', line: 'm1-s1', phase: 'open' }, 40);
  assert.is(line(m, 'm1-s1', 61_000).state, 'no-station');
  m.apply({ kind: 'line', line: 'm1-s1', phase: 'stopped' }, 62_000);
  assert.is(line(m, 'm1-s1', 62_001).state, 'stopped');
});

test('server states: down, handshaking, ready, busy, draining (operator, outliving reconnects; re-handshake, not)', () => {
  const m = createStatusModel(snapshot(['m1-s1'], ['ds1']), { startedAt: 0 });
  assert.equal([server(m, 'ds1', 0).state, server(m, 'ds1', 0).pattern], ['down', 'off']);
  m.apply({ kind: 'link', server: 'ds1', phase: 'handshaking' }, 1);
  assert.equal([server(m, 'ds1', 2).state, server(m, 'ds1', 2).pattern], ['handshaking', 'fast-blink']);
  m.apply({ kind: 'handshake', server: 'ds1' }, 3);
  m.apply({ kind: 'link', server: 'ds1', phase: 'open' }, 3);
  assert.is(server(m, 'ds1', 4).state, 'handshaking', 'open but no ready yet');
  m.apply(n({ event: 'server-available', server: 'ds1', slots: 1, ops: ['echo'] }), 5);
  assert.equal([server(m, 'ds1', 6).state, server(m, 'ds1', 6).pattern, server(m, 'ds1', 6).slots, server(m, 'ds1', 6).handshakes], ['ready', 'on', 1, 1]);
  m.apply({ kind: 'line', line: 'm1-s1', phase: 'open' }, 7);
  m.apply(n({ event: 'queued', line: 'm1-s1', id: 1, op: 'echo', ahead: 0 }), 7);
  m.apply(n({ event: 'dispatched', line: 'm1-s1', id: 1, op: 'echo', server: 'ds1', waitMs: 0 }), 7);
  assert.is(server(m, 'ds1', 8).state, 'busy');
  m.apply({ kind: 'drain', server: 'ds1', draining: true, cause: 'operator', by: 'alice' }, 9);
  assert.equal([server(m, 'ds1', 10).state, server(m, 'ds1', 10).pattern, server(m, 'ds1', 10).drainedBy], ['draining', 'slow-blink', 'operator']);
  m.apply({ kind: 'link', server: 'ds1', phase: 'waiting', why: 'ECONNREFUSED' }, 11);
  m.apply(n({ event: 'server-down', server: 'ds1', held: 1 }), 11);
  assert.equal([server(m, 'ds1', 12).state, server(m, 'ds1', 12).why], ['down', 'ECONNREFUSED']);
  m.apply({ kind: 'link', server: 'ds1', phase: 'open' }, 13);
  m.apply(n({ event: 'server-available', server: 'ds1', slots: 1, ops: ['echo'] }), 13);
  assert.is(server(m, 'ds1', 14).state, 'draining', 'an operator drain outlives the reconnect');
  m.apply({ kind: 'drain', server: 'ds1', draining: false, cause: 'operator' }, 15);
  m.apply({ kind: 'drain', server: 'ds1', draining: true, cause: 'rehandshake' }, 16);
  assert.equal(server(m, 'ds1', 17).drainedBy, 'rehandshake');
  m.apply({ kind: 'handshake', server: 'ds1' }, 18);
  assert.is(server(m, 'ds1', 19).drainedBy, undefined, 'a fresh handshake ends a re-handshake drain');
});

test('the router: starting, running, fault while no server is ready, stopping', () => {
  const m = createStatusModel(snapshot(['m1-s1'], ['ds1', 'ds2']), { startedAt: 0 });
  assert.equal([m.view(0).site.state, m.view(0).site.pattern], ['starting', 'on']);
  for (const e of upEvents(['m1-s1'], ['ds1', 'ds2'])) m.apply(e, 1);
  assert.equal([m.view(2).site.state, m.view(2).site.pattern], ['running', 'slow-blink']);
  m.apply({ kind: 'link', server: 'ds1', phase: 'waiting' }, 3);
  assert.is(m.view(4).site.state, 'running', 'one server left');
  m.apply({ kind: 'link', server: 'ds2', phase: 'connecting' }, 5);
  assert.equal([m.view(6).site.state, m.view(6).site.pattern], ['fault', 'fast-blink']);
  m.apply({ kind: 'router', phase: 'stopping' }, 7);
  assert.equal([m.view(8).site.state, m.view(8).site.pattern], ['stopping', 'off']);
});

test('cards per hour from ok answers of card ops; requests per second; totals; uptime and times', () => {
  const m = model();
  let id = 0;
  // 60 cards in the first 10 minutes: one every 10 s; an echo and a failed transport-key do not count.
  for (let t = 10_000; t <= 600_000; t += 10_000) {
    m.apply(n({ event: 'queued', line: 'm1-s1', id: ++id, op: 'transport-key', ahead: 0 }), t);
    m.apply(n({ event: 'answered', line: 'm1-s1', id, op: 'transport-key', outcome: 'ok', totalMs: 30 }), t + 30);
  }
  m.apply(n({ event: 'queued', line: 'm1-s2', id: 1, op: 'echo', ahead: 0 }), 600_100);
  m.apply(n({ event: 'answered', line: 'm1-s2', id: 1, op: 'echo', outcome: 'ok', totalMs: 5 }), 600_105);
  m.apply(n({ event: 'queued', line: 'm1-s2', id: 2, op: 'transport-key', ahead: 0 }), 600_200);
  m.apply(n({ event: 'answered', line: 'm1-s2', id: 2, op: 'transport-key', outcome: 'key-unavailable', totalMs: 5 }), 600_205);
  const v = m.view(600_500);
  assert.is(v.site.cardsTotal, 60);
  assert.is(v.site.cardsPerHour, 360, '60 cards in 10 minutes');
  assert.is(v.site.requestsTotal, 62);
  assert.is(v.site.requestsPerSecond, 0.3, '3 requests in the last 10 s');
  assert.equal([v.site.uptimeMs, v.site.version, v.at], [600_500, '1.2.3', 600_500]);
  assert.is(v.wallTime, new Date(1_700_000_600_500).toISOString());
  assert.is(m.view(600_500 + 3_600_000).site.cardsPerHour, 0, 'an hour later the window is empty');
});

test('rates in the first seconds are taken over the uptime, not the whole window', () => {
  const m = model();
  for (let i = 1; i <= 20; i++) {
    m.apply(n({ event: 'queued', line: 'm1-s1', id: i, op: 'transport-key', ahead: 0 }), i * 100);
    m.apply(n({ event: 'answered', line: 'm1-s1', id: i, op: 'transport-key', outcome: 'ok', totalMs: 5 }), i * 100 + 5);
  }
  const v = m.view(2_000);
  assert.is(v.site.requestsPerSecond, 10, '20 requests in 2 s');
  assert.is(v.site.cardsPerHour, 7_200, '20 cards, counted over the first 10 s bucket');
});

test('p50 and p99 over the recent answers', () => {
  const m = model();
  for (let i = 1; i <= 100; i++) {
    m.apply(n({ event: 'queued', line: 'm1-s1', id: i, op: 'echo', ahead: 0 }), i);
    m.apply(n({ event: 'answered', line: 'm1-s1', id: i, op: 'echo', outcome: 'ok', totalMs: i }), i);
  }
  const l = line(m, 'm1-s1', 200);
  assert.equal([l.p50Ms, l.p99Ms], [50, 99]);
});

test('requeued work waits again; a dropped request leaves; peer lines are no lamp of this box', () => {
  const m = model();
  m.apply(n({ event: 'queued', line: 'm1-s1', id: 1, op: 'echo', ahead: 0 }), 20);
  m.apply(n({ event: 'dispatched', line: 'm1-s1', id: 1, op: 'echo', server: 'ds1', waitMs: 0 }), 20);
  m.apply(n({ event: 'requeued', line: 'm1-s1', id: 1, op: 'echo', server: 'ds1' }), 21);
  assert.is(line(m, 'm1-s1', 22).state, 'waiting-for-server');
  m.apply(n({ event: 'dropped', line: 'm1-s1', id: 1, op: 'echo', why: 'hello' }), 23);
  assert.is(line(m, 'm1-s1', 24).state, 'idle');
  m.apply(n({ event: 'queued', line: 'peer:box-a', id: 1, op: 'echo', ahead: 0 }), 25);
  const v = m.view(26);
  assert.equal([v.lines.length, v.site.requestsTotal, v.site.queuedByOp], [2, 1, {}]);
});

test('traffic counts bytes and stamps the time the panel flickers on; bytes in mean a station is there', () => {
  const m = model();
  assert.is(line(m, 'm1-s1', 99).state, 'no-station');
  m.apply({ kind: 'traffic', line: 'm1-s1', direction: 'in', bytes: 40 }, 100);
  m.apply({ kind: 'traffic', line: 'm1-s1', direction: 'out', bytes: 12 }, 120);
  const l = line(m, 'm1-s1', 130);
  assert.equal([l.bytesIn, l.bytesOut, l.lastTrafficAt, l.state], [40, 12, 120, 'idle']);
});

test('locate shows the locate pattern for 30 s over any state, then the state again', () => {
  const m = model();
  assert.is(m.locate('nope', 0), false);
  assert.ok(m.locate('m1-s2', 1_000));
  let l = line(m, 'm1-s2', 1_001);
  assert.equal([l.pattern, l.state, l.locateUntil], ['locate', 'no-station', 31_000]);
  l = line(m, 'm1-s2', 31_000);
  assert.equal([l.pattern, l.locateUntil], ['on', undefined]);
});

test('a model started late takes phases, stations, slots and drains from the snapshot', () => {
  const s = snapshot(['m1-s1'], ['ds1']);
  const late = {
    ...s,
    phase: 'running' as const,
    lines: [{ ...s.lines[0]!, phase: 'open' as const, station: 'st' }],
    servers: [{ ...s.servers[0]!, phase: 'open' as const, drainedBy: 'operator' as const }],
    dispatch: { ...s.dispatch, servers: [{ name: 'ds1', available: false, draining: false, slots: 3, busy: 0, ops: ['echo'] }] },
  };
  const v = createStatusModel(late, { startedAt: 0 }).view(5);
  assert.equal([v.site.state, v.lines[0]!.state, v.lines[0]!.station, v.servers[0]!.state, v.servers[0]!.slots], ['running', 'idle', 'st', 'draining', 3]);
});

test('a view is plain JSON: it survives a round trip unchanged', () => {
  const m = model();
  m.apply(n({ event: 'queued', line: 'm1-s1', id: 1, op: 'echo', ahead: 0 }), 20);
  const v = m.view(30);
  assert.equal(JSON.parse(JSON.stringify(v)), v);
});

test.run();
