// One write per link per event-loop turn (src/links/turn-writer.ts): what is
// sent during a turn leaves in one write, in the order it was sent; a flush
// (before a close) writes at once; a destroyed stream is not written.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { TurnWriter } from '../../src/links/turn-writer.js';

const writer = suite('turn writer');

function recording(): { stream: Writable; writes: Buffer[] } {
  const writes: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      writes.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, writes };
}

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

writer('frames sent in one turn leave in one write, in order, after the turn', async () => {
  const { stream, writes } = recording();
  const out = new TurnWriter(stream);
  out.write(Buffer.from('a1'));
  out.write(Buffer.from('b2'));
  await Promise.resolve(); // a microtask later: still the same turn
  out.write(Buffer.from('c3'));
  assert.equal(writes, [], 'nothing written during the turn');
  await nextTurn();
  assert.equal(writes.map(String), ['a1b2c3']);
});

writer('the sends of two turns are two writes', async () => {
  const { stream, writes } = recording();
  const out = new TurnWriter(stream);
  out.write(Buffer.from('x'));
  await nextTurn();
  out.write(Buffer.from('y'));
  out.write(Buffer.from('z'));
  await nextTurn();
  assert.equal(writes.map(String), ['x', 'yz']);
});

writer('flush writes what is queued at once, and the end of the turn writes nothing more', async () => {
  const { stream, writes } = recording();
  const out = new TurnWriter(stream);
  out.write(Buffer.from('last'));
  out.write(Buffer.from('words'));
  out.flush();
  assert.equal(writes.map(String), ['lastwords']);
  await nextTurn();
  assert.equal(writes.map(String), ['lastwords']);
});

writer('a stream destroyed before the end of the turn is not written (no error)', async () => {
  const { stream, writes } = recording();
  let error: Error | undefined;
  stream.on('error', (e) => (error = e));
  const out = new TurnWriter(stream);
  out.write(Buffer.from('lost'));
  stream.destroy();
  await nextTurn();
  assert.equal(writes, []);
  assert.is(error, undefined);
});

writer.run();
