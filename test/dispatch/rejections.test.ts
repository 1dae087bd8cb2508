// The router's own refusals (PROTOCOL.md 2.1 rule 6 and the error codes):
// `overloaded` beyond maxOutstanding, `unknown-op` for an op nobody knows.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Effect } from '../../src/dispatch/types.js';
import { body, echo, errorCodes, makeDispatcher, notes, onlySent, readyServer, results, toServer } from './helpers.js';

const rej = suite('rejections');

rej('beyond maxOutstanding a req is answered at once with overloaded and sent nowhere', () => {
  const d = makeDispatcher({ lines: { L1: 3 } });
  readyServer(d, 'A', 1, ['echo'], 0);
  const first = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0)); // at A
  d.request('L1', { id: 2, op: 'echo', body: body(2) }, 1); // queued
  d.request('L1', { id: 3, op: 'echo', body: body(3) }, 2); // queued
  const e = d.request('L1', { id: 4, op: 'echo', body: body(4) }, 3);
  const res = results(e, 'L1');
  assert.is(res.length, 1);
  assert.is(res[0]!.id, 4);
  assert.equal(errorCodes(e), ['overloaded']);
  assert.equal(toServer(e), []);
  assert.is(d.snapshot().queued.get('echo'), 2, 'not queued');
  assert.equal(toServer(echo(d, first, 4)).length, 1);
  assert.equal(toServer(d.tick(5000)), [], 'request 4 never goes anywhere');
});

rej('a freed place takes a new request; an overloaded one is not remembered as answered', () => {
  const d = makeDispatcher({ lines: { L1: 1 } });
  readyServer(d, 'A', 1, ['echo'], 0);
  const first = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  assert.equal(errorCodes(d.request('L1', { id: 2, op: 'echo', body: body(2) }, 1)), ['overloaded']);
  echo(d, first, 2);
  const retry = d.request('L1', { id: 2, op: 'echo', body: body(2) }, 3);
  assert.equal(results(retry), [], 'not the cached overloaded');
  assert.is(toServer(retry).length, 1);
});

rej('maxOutstanding is per line', () => {
  const d = makeDispatcher({ lines: { L1: 1, L2: 1 } });
  readyServer(d, 'A', 4, ['echo'], 0);
  d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0);
  assert.equal(errorCodes(d.request('L1', { id: 2, op: 'echo', body: body(2) }, 0)), ['overloaded']);
  assert.is(toServer(d.request('L2', { id: 1, op: 'echo', body: body(3) }, 0)).length, 1);
});

rej('an op neither configured nor announced gets unknown-op at once and nothing is sent', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 4, ['echo'], 0);
  const e = d.request('L1', { id: 6, op: 'format-disk', body: body(6) }, 0);
  const res = results(e, 'L1');
  assert.is(res.length, 1);
  assert.is(res[0]!.id, 6);
  assert.equal(errorCodes(e), ['unknown-op']);
  assert.equal(toServer(e), []);
  assert.is(d.snapshot().lines[0]?.inFlight, 0, 'does not take a place');
  assert.equal(d.tick(100_000), []);
  assert.is(d.nextDeadline(), undefined);
});

rej('an op becomes known when a ready announces it, and stays known after that server goes down', () => {
  const d = makeDispatcher({ ops: {} });
  assert.equal(errorCodes(d.request('L1', { id: 1, op: 'certificate', body: body(1) }, 0)), ['unknown-op']);
  readyServer(d, 'A', 1, ['certificate'], 10);
  assert.is(toServer(d.request('L1', { id: 2, op: 'certificate', body: body(2) }, 20)).length, 1);
  d.serverDown('A', 30);
  const later = d.request('L1', { id: 3, op: 'certificate', body: body(3) }, 40);
  assert.equal(results(later), [], 'known: accepted and queued, not unknown-op');
  assert.is(d.snapshot().queued.get('certificate'), 1);
});

rej('an announced op that is not configured gets the default policy ttl', () => {
  const d = makeDispatcher({ ops: {}, defaultPolicy: { ttlMs: 2222, retry: false } });
  readyServer(d, 'A', 1, ['issuer-key'], 0);
  assert.is(onlySent(d.request('L1', { id: 1, op: 'issuer-key' }, 0)).msg.ttl, 2222);
});

rej('a configured op is known before any server announces it', () => {
  const d = makeDispatcher();
  const e = d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0);
  assert.equal(results(e), []);
  assert.is(d.isKnownOp('echo'), true);
  assert.is(d.isKnownOp('nope'), false);
});

rej('every refusal carries its own code', () => {
  const codes = new Set<string>();
  const add = (e: Effect[]): void => errorCodes(e).forEach((c) => codes.add(c));
  const ops = { echo: { ttlMs: 100, retry: false }, lonely: { ttlMs: 100, retry: false } };
  const d = makeDispatcher({ ops, lines: { L1: 2, L2: 8, L3: 8 } });
  readyServer(d, 'A', 1, ['echo'], 0);
  add(d.request('L1', { id: 1, op: 'nope' }, 0)); // unknown-op
  d.request('L1', { id: 2, op: 'echo', body: body(2) }, 0); // at A
  d.request('L1', { id: 3, op: 'echo', body: body(3) }, 0); // queued
  add(d.request('L1', { id: 4, op: 'echo', body: body(4) }, 0)); // overloaded
  add(d.request('L2', { id: 1, op: 'lonely' }, 0)); // no-server at 100
  add(d.tick(100)); // timeout for L1 2 and 3, no-server for L2 1
  readyServer(d, 'B', 1, ['echo'], 200);
  d.request('L3', { id: 1, op: 'echo', body: body(5) }, 200); // at B
  add(d.serverDown('B', 210)); // server-lost
  assert.equal([...codes].sort(), ['no-server', 'overloaded', 'server-lost', 'timeout', 'unknown-op']);
});

rej('refusals leave a rejected note with the code', () => {
  const d = makeDispatcher({ lines: { L1: 1 } });
  d.request('L1', { id: 1, op: 'echo' }, 0);
  const e = [...d.request('L1', { id: 2, op: 'echo' }, 0), ...d.request('L1', { id: 3, op: 'what' }, 0)];
  assert.equal(
    notes(e, 'rejected').map((n) => (n.event === 'rejected' ? [n.id, n.code] : [])),
    [
      [2, 'overloaded'],
      [3, 'unknown-op'],
    ],
  );
});

rej.run();
