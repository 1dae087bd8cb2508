// The handshake of protected links: a server answering with a kid the key
// file does not name is refused (and said so); links re-handshake on their
// schedule without costing any request its answer; secrets stay out of logs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { Site } from '../support/site.js';
import { sleep, waitFor } from '../support/wait.js';

const wrongKid = suite('a server with the wrong kid');
let site: Site;
wrongKid.before(async () => {
  site = await new Site({
    sealed: true,
    expectServers: 0,
    servers: [{ name: 'ds1', slots: 2 }],
    // The router's key file expects the server to be kid 03; the server is 02.
    editKeys: (files) => {
      const keys = JSON.parse(readFileSync(files.router, 'utf8')) as Record<string, string>;
      writeFileSync(files.router, JSON.stringify({ ...keys, recipientId: '03' }), { mode: 0o600 });
    },
  }).start();
});
wrongKid.after(() => site?.stop());

wrongKid('is refused with the reason, and never becomes available', async () => {
  await waitFor('the refusal logged', () => site.logLines.find((l) => /error link\.handshake-refused server=ds1/.test(l)));
  const line = site.logLines.find((l) => /link\.handshake-refused/.test(l))!;
  assert.match(line, /the server's kid h'02' is not the recipientId h'03' of the key file/);
  assert.not.ok(site.router.snapshot().dispatch.servers.some((s) => s.available));
  site.station().request(1, 'echo', 'x', 300);
  const res = await site.station().answer(1);
  assert.ok(!res.ok && res.err.code === 'no-server', JSON.stringify(res));
});

wrongKid.run();

const rehandshake = suite('scheduled re-handshake');
let busy: Site;
rehandshake.before(async () => {
  busy = await new Site({ sealed: true, rehandshake: '* * * * * *', servers: [{ name: 'ds1', slots: 2, serviceTime: { kind: 'fixed', ms: 120 } }] }).start();
});
rehandshake.after(() => busy?.stop());

rehandshake('links re-handshake every second under load, and every request is answered ok', async () => {
  const st = busy.station();
  let id = 0;
  const until = Date.now() + 3500;
  while (Date.now() < until) {
    id++;
    st.request(id, 'echo', { id });
    await st.answer(id, 5000);
  }
  const answers = st.received.filter((m) => m.t === 'res');
  assert.is(answers.length, id);
  assert.ok(answers.every((a) => a.ok), JSON.stringify(answers.find((a) => !a.ok)));
  const handshakes = busy.logLines.filter((l) => /info  link\.rehandshake server=ds1/.test(l)).length;
  assert.ok(handshakes >= 2, `${handshakes} re-handshakes in 3.5 s`);
});

rehandshake('no secret of the key file appears in any log line', async () => {
  await sleep(10);
  const keys = JSON.parse(readFileSync(busy.keyFiles.get('ds1')!.router, 'utf8')) as { masterSecret: string; masterSalt: string };
  const all = busy.logLines.join('\n').toLowerCase();
  assert.not.ok(all.includes(keys.masterSecret.slice(0, 16)), 'master secret in a log line');
  assert.not.ok(all.includes(keys.masterSalt), 'master salt in a log line');
  assert.not.ok(/<buffer|uint8array\(/.test(all), 'no byte dump of any kind');
});

rehandshake.run();
