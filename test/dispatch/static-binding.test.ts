// Static binding (a line's `servers` list): the prior-art mode persomux can
// be compared with. A bound line's requests go only to its servers; they
// never hold back other lines' requests from servers they may not use.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Dispatcher } from '../../src/dispatch/dispatcher.js';
import { NO_SERVERS, type Request } from '../../src/dispatch/request.js';
import { ServerTable } from '../../src/dispatch/server-table.js';
import { body, echo, makeDispatcher, readyServer, ROUTER, toServer, type Sent } from './helpers.js';

const binding = suite('static binding');

function request(line: string, op = 'echo'): Request {
  return { seq: 0, line, id: 1, op, body: undefined, station: `${ROUTER}/${line}`, receivedAt: 0, deadline: 1000, state: 'queued', owned: true, excluded: NO_SERVERS, overloads: 0, durable: true };
}

function table(...servers: [name: string, slots: number, held: number][]): ServerTable {
  const t = new ServerTable();
  for (const [name, slots, held] of servers) {
    const s = t.add(name);
    s.phase = 'ready';
    s.slots = slots;
    s.ops = new Set(['echo']);
    for (let i = 0; i < held; i++) s.held.set(i, request('other'));
  }
  return t;
}

binding('pick: without a binding, the least busy server', () => {
  assert.is(table(['A', 4, 3], ['B', 4, 1]).pick(request('L1'))?.name, 'B');
});

binding('pick: a bound line gets only its own server, even when another is idler', () => {
  assert.is(table(['A', 4, 3], ['B', 4, 0]).pick(request('L1'), new Set(['A']))?.name, 'A');
});

binding('pick: a bound line whose servers are all full gets none, though another is free', () => {
  assert.is(table(['A', 2, 2], ['B', 4, 0]).pick(request('L1'), new Set(['A'])), undefined);
});

binding('pick: a binding to several servers picks the least busy among them', () => {
  assert.is(table(['A', 4, 3], ['B', 4, 2], ['C', 4, 0]).pick(request('L1'), new Set(['A', 'B']))?.name, 'B');
});

function boundDispatcher(): Dispatcher {
  const d = makeDispatcher({ lines: {} });
  d.addLine('L1', { maxOutstanding: 8, servers: new Set(['A']) });
  d.addLine('L2', { maxOutstanding: 8, servers: new Set(['B']) });
  d.addLine('L3', { maxOutstanding: 8 });
  for (const l of ['L1', 'L2', 'L3']) d.lineUp(l);
  readyServer(d, 'A', 1, ['echo'], 0);
  readyServer(d, 'B', 1, ['echo'], 0);
  return d;
}

binding('dispatcher: each bound line reaches only its server', () => {
  const d = boundDispatcher();
  const first = toServer(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 1));
  assert.equal(first.map((s) => s.server), ['A']);
  // A is full; L1's next request waits for A although B is free.
  assert.equal(toServer(d.request('L1', { id: 2, op: 'echo', body: body(2) }, 2)), []);
  const l2 = toServer(d.request('L2', { id: 1, op: 'echo', body: body(3) }, 3));
  assert.equal(l2.map((s) => s.server), ['B'], 'the waiting L1 request does not hold back L2 from B');
  // When A answers, the waiting L1 request goes to A.
  const freed = toServer(echo(d, first[0]!, 4));
  assert.equal(freed.map((s) => s.server), ['A']);
});

binding('dispatcher: an unbound line still uses any server', () => {
  const d = boundDispatcher();
  const sent: Sent[] = [];
  sent.push(...toServer(d.request('L3', { id: 1, op: 'echo', body: body(1) }, 1)));
  sent.push(...toServer(d.request('L3', { id: 2, op: 'echo', body: body(2) }, 2)));
  assert.equal(sent.map((s) => s.server).sort(), ['A', 'B']);
});

binding.run();
