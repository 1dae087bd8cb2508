// The dispatcher with a request journal (PROTOCOL.md 6 reading 12): a
// non-retry request goes to a server only once its fingerprint is durable,
// retry ops never wait, an earlier run's request is answered server-lost, a
// journal that cannot be written costs the station an overloaded (never an
// unrecorded run), and a hello tells the journal to forget the line.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Dispatcher } from '../../src/dispatch/dispatcher.js';
import type { Effect } from '../../src/dispatch/types.js';
import { body, errorCodes, readyServer, toServer } from './helpers.js';

const test = suite('journal');

function journaled(seen: (id: number) => boolean = () => false) {
  const d = new Dispatcher({
    ops: new Map([
      ['certificate', { ttlMs: 1000, retry: false }],
      ['echo', { ttlMs: 1000, retry: true }],
    ]),
    defaultPolicy: { ttlMs: 1000, retry: false },
    routerName: 'r1',
    startedAt: 0,
    maxServerBody: 4096,
    maxTtlMs: 60_000,
    journal: { seenBefore: (fp) => seen(fp.id) },
  });
  d.addLine('L1', { maxOutstanding: 8 });
  d.lineUp('L1');
  readyServer(d, 'A', 4, ['certificate', 'echo'], 0);
  return d;
}
const journalEffects = (effects: readonly Effect[]) => effects.filter((e): e is Extract<Effect, { kind: 'journal' }> => e.kind === 'journal');

test('a non-retry request waits for its record; then it goes to the server', () => {
  const d = journaled();
  const accepted = d.request('L1', { id: 1, op: 'certificate', body: body(1) }, 0);
  assert.equal(toServer(accepted), [], 'not before it is on disk');
  const [record] = journalEffects(accepted);
  assert.ok(record);
  assert.equal({ line: record.fp.line, id: record.fp.id, op: record.fp.op, ttlMs: record.ttlMs }, { line: 'L1', id: 1, op: 'certificate', ttlMs: 1000 });
  assert.equal(toServer(d.journaled(record.seq, 5)).map((s) => s.msg.op), ['certificate']);
  assert.equal(d.journaled(record.seq, 6), [], 'once');
});

test('retry ops skip the journal', () => {
  const d = journaled();
  const accepted = d.request('L1', { id: 2, op: 'echo', body: body(2) }, 0);
  assert.equal(journalEffects(accepted), []);
  assert.is(toServer(accepted).length, 1);
});

test('a request an earlier run sent is answered server-lost, after its ack, and never sent', () => {
  const d = journaled((id) => id === 3);
  const effects = d.request('L1', { id: 3, op: 'certificate', body: body(3) }, 0);
  assert.equal(toServer(effects), []);
  assert.equal(journalEffects(effects), []);
  assert.equal(errorCodes(effects), ['server-lost']);
  const order = effects.filter((e) => e.kind === 'to-station').map((e) => (e.kind === 'to-station' ? e.msg.t : ''));
  assert.equal(order, ['ack', 'res']);
});

test('the journal cannot be written: overloaded, not run, not cached', () => {
  const d = journaled();
  const [record] = journalEffects(d.request('L1', { id: 4, op: 'certificate', body: body(4) }, 0));
  const failed = d.journalFailed(record!.seq, 'disk full', 1);
  assert.equal(errorCodes(failed), ['overloaded']);
  assert.equal(toServer(failed), []);
  // Asked again, it is a new request (refusals are not cached): a new record is asked for.
  assert.is(journalEffects(d.request('L1', { id: 4, op: 'certificate', body: body(4) }, 2)).length, 1);
});

test('while its record is written, later requests are not held up; a hello asks the journal to forget the line', () => {
  const d = journaled();
  d.request('L1', { id: 5, op: 'certificate', body: body(5) }, 0);
  assert.is(toServer(d.request('L1', { id: 6, op: 'echo', body: body(6) }, 1)).length, 1, 'the retry op behind it goes at once');
  assert.equal(d.hello('L1').filter((e) => e.kind === 'journal-forget'), [{ kind: 'journal-forget', line: 'L1' }]);
});

test.run();
