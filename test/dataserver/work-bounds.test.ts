// Issue 11 item 2 at the data server, on a real loopback socket with a
// plaintext router end written by hand (PROTOCOL.md 6 reading 10): never more
// requests held than the slots announced (beyond them: `overloaded` at once),
// never a request started once its ttl (from its arrival) has run out, and
// nothing started for a connection that closed. The server counts executions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataServer } from '../../src/dataserver/dataserver.js';
import { silentLogger } from '../../src/log/logger.js';
import { echoReq, rawRouter } from '../admission/support/raw-link.js';
import { waitFor } from '../support/wait.js';

let ds: DataServer;
const ends: { close(): void }[] = [];
test.after.each(async () => {
  for (const e of ends.splice(0)) e.close();
  await ds?.close();
});

async function serve(slots: number, serviceMs: number): Promise<number> {
  ds = new DataServer({ name: 'ds', slots, serviceTime: { kind: 'fixed', ms: serviceMs }, security: { kind: 'insecure' }, seed: 1, log: silentLogger });
  return ds.listen('127.0.0.1', 0);
}

async function router(port: number) {
  const r = await rawRouter(port);
  ends.push(r);
  await waitFor('ready', () => r.of('ready')[0]);
  return r;
}

test('50 requests against 4 slots: 4 run, the other 46 are answered overloaded at once', async () => {
  const r = await router(await serve(4, 100));
  r.send(...Array.from({ length: 50 }, (_, i) => echoReq(i)));
  await waitFor('46 refusals', () => r.of('res').length >= 46);
  const early = r.of('res');
  assert.ok(early.slice(0, 46).every((m) => (m.err as { code: string } | undefined)?.code === 'overloaded'), JSON.stringify(early[0]));
  await waitFor('50 answers', () => r.of('res').length === 50);
  assert.is(r.of('res').filter((m) => m.ok === true).length, 4);
  assert.is(ds.totalExecutions, 4);
});

test('a request whose ttl runs out before it would start is answered timeout, never executed; one within its ttl runs', async () => {
  const r = await router(await serve(2, 150));
  r.send(echoReq(1, 50), echoReq(2, 5_000));
  await waitFor('two answers', () => r.of('res').length === 2);
  const byId = new Map(r.of('res').map((m) => [m.id, m]));
  assert.is((byId.get(1)!.err as { code: string }).code, 'timeout');
  assert.is(byId.get(2)!.ok, true);
  assert.is(ds.totalExecutions, 1);
});

test('work of a connection that closed before it started is dropped', async () => {
  const port = await serve(4, 150);
  const gone = await router(port);
  gone.send(echoReq(1), echoReq(2), echoReq(3));
  gone.close();
  const stays = await router(port);
  stays.send(echoReq(9));
  // The later request finishing means the earlier ones' service time has passed too.
  await waitFor('the later answer', () => stays.of('res')[0]);
  assert.is(ds.totalExecutions, 1);
});

test.run();
