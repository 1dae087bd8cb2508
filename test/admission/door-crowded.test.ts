// Issue 11 item 1 on real sockets: hostile clients crowd a data server's
// sealed listener from other loopback addresses (copying the router's kid,
// which travels in plaintext, and trickling a byte now and then), and a real
// router still links up through the same listener and serves a station.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DoorSite } from './support/door-site.js';
import { DoorClient, doorClients } from './support/door-client.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeCbor } from '../../src/wire/cbor.js';
import { waitFor } from '../support/wait.js';
import { LINES_PER_MINUTE } from '../../src/log/rate-limit.js';

let site: DoorSite;
let crowd: DoorClient[] = [];
test.before.each(async () => {
  site = await new DoorSite().startServer();
});
test.after.each(async () => {
  for (const c of crowd) c.close();
  crowd = [];
  await site.stop();
});

test('70 connections from 20 other addresses, each sending an open and a byte every 200 ms: the router still gets in and is served', async () => {
  for (let a = 2; a < 22; a++) crowd.push(...doorClients(Math.ceil(70 / 20), { port: site.port, from: `127.0.0.${a}`, openKid: site.routerKid, trickleMs: 200 }));
  await waitFor('the crowd at the door', () => crowd.every((c) => c.connected || c.closed));
  await site.startRouter();
  site.station!.request(1, 'echo', { hello: 'through the crowd' });
  const res = await site.station!.answer(1);
  assert.ok(res.ok, JSON.stringify(res));
  assert.is(site.server.totalExecutions, 1);
  // The door kept at most 16 of them waiting, and the server said why it closed the others.
  assert.ok(crowd.filter((c) => !c.closed).length <= 16, `${crowd.filter((c) => !c.closed).length} still open`);
  assert.ok(site.serverLog.some((l) => /link\.closing .*why="replaced by a newer connection/.test(l)));
});

test('a malformed open (v 2) is closed at once, and the server says why', async () => {
  const bad = new DoorClient({ port: site.port, from: '127.0.0.9', first: encodeFrame(encodeCbor({ t: 'open', v: 2, kid: site.routerKid, r: Buffer.alloc(8) })) });
  crowd.push(bad);
  await waitFor('the malformed open closed', () => bad.closed, 3_000);
  assert.ok(site.serverLog.some((l) => /link\.closing .*why="a malformed open/.test(l)), site.serverLog.join('\n'));
});

test('200 connections each sending one bad open: the listener logs at most its budget, whatever the connections', async () => {
  const bad = encodeFrame(encodeCbor({ t: 'open', v: 2, kid: site.routerKid, r: Buffer.alloc(8) }));
  for (let a = 30; a < 80; a++) crowd.push(...doorClients(4, { port: site.port, from: `127.0.0.${a}`, first: bad }));
  await waitFor('every bad open closed', () => crowd.every((c) => c.closed), 10_000);
  const lines = site.serverLog.filter((l) => !/dataserver\.listening|log\.suppressed/.test(l));
  assert.ok(lines.length <= LINES_PER_MINUTE, `${lines.length} log lines for 200 connections`);
});

test.run();
