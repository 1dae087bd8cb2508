// A person at an ASCII line (PROTOCOL.md section 6 reading 11), typed as
// picocom sends it: a key per write, Enter as CR alone (or CR then LF in a
// separate write), Backspace as DEL, through socat ptys and the real router.
// One line echoes and greets with a banner; the other is configured plain.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../src/config/load.js';
import { DataServer } from '../../src/dataserver/dataserver.js';
import { createLogger } from '../../src/log/logger.js';
import { Router } from '../../src/router/router.js';
import { ptyPairs, scratchDir, type PtyPair } from '../../src/sim/pty-pair.js';
import { HELP_TEXT } from '../../src/wire/ascii.js';
import { StationPeer } from '../support/station-peer.js';
import { waitFor } from '../support/wait.js';

const scratch = scratchDir('terminal');
let pairs = new Map<string, PtyPair>();
let server: DataServer | undefined;
let router: Router | undefined;
const terminals = new Map<string, StationPeer>();
const BANNER = 'bench terminal, router test-box\nType HELP and Enter';

test.before(async () => {
  pairs = await ptyPairs(scratch.dir, ['echoing', 'plain']);
  server = new DataServer({ name: 'ds1', slots: 2, serviceTime: { kind: 'fixed', ms: 1 }, security: { kind: 'insecure' }, seed: 1, log: createLogger({ level: 'error', write: () => {} }) });
  const port = await server.listen('127.0.0.1', 0);
  const file = join(scratch.dir, 'router.json');
  writeFileSync(
    file,
    JSON.stringify({
      router: 'test-box',
      lines: [
        { name: 'echoing', path: pairs.get('echoing')!.routerPath, protocol: 'ascii', echo: true, banner: BANNER },
        { name: 'plain', path: pairs.get('plain')!.routerPath, protocol: 'ascii' },
      ],
      servers: [{ name: 'ds1', tcp: `127.0.0.1:${port}`, slots: 2, insecure: true }],
      ops: { echo: { ttlMs: 3000 } },
    }),
  );
  // The terminals are open before the router opens its lines, as a person's picocom would be: the banner is seen.
  for (const name of ['echoing', 'plain']) terminals.set(name, await new StationPeer(pairs.get(name)!.peerPath, 'ascii').open());
  router = new Router(loadConfig(file), createLogger({ level: 'error', write: () => {} }));
  router.start();
  await waitFor('both lines open and the server available', () => {
    const s = router!.snapshot();
    return s.lines.every((l) => l.phase === 'open') && s.dispatch.servers.every((x) => x.available);
  });
});

test.after(async () => {
  for (const t of terminals.values()) await t.close();
  router?.stop();
  await server?.close();
  for (const p of pairs.values()) await p.kill();
  scratch.remove();
});

/** Types as picocom does: one key per write, each gone before the next is typed. */
async function type(name: string, keys: string): Promise<void> {
  for (const key of keys) {
    terminals.get(name)!.write(key);
    await terminals.get(name)!.flush();
  }
}
const screen = (name: string): string => terminals.get(name)!.text;
const until = (name: string, text: string): Promise<true> => waitFor(JSON.stringify(text), () => screen(name).includes(text));

test('an echoing line greets with its banner, as lines a station program ignores', async () => {
  await until('echoing', '# Type HELP and Enter\r\n');
  assert.ok(screen('echoing').startsWith('# bench terminal, router test-box\r\n# Type HELP and Enter\r\n'), JSON.stringify(screen('echoing')));
  assert.is(screen('plain'), '', 'a line without a banner says nothing when it opens');
});

for (const name of ['echoing', 'plain']) {
  const echo = name === 'echoing';
  test(`${name}: help, backspace, CR-only and CR+LF line ends, PING without a number, HELLO`, async () => {
    const before = screen(name).length;
    await type(name, 'help\r');
    await until(name, HELP_TEXT);
    // A typo corrected with Backspace (DEL), Enter as CR alone.
    await type(name, 'REQ 1 echx\x7fo a=1\r');
    await until(name, 'RES 1 OK a=1\r\n');
    // Two requests each ended by CR alone must not be joined.
    await type(name, 'req 2 echo a=2\rREQ 3 echo a=3\r');
    await until(name, 'RES 3 OK a=3\r\n');
    // CR then LF in separate writes: one line end, no empty line in between.
    await type(name, 'PING 5\r');
    await type(name, '\n');
    await type(name, 'ping\r\n');
    await until(name, 'PONG\r\n');
    // Ctrl-U drops what was typed, Ctrl-H erases too.
    await type(name, 'REQ 4 launch\x15hellx\bo bench\r');
    await until(name, 'WELCOME test-box ' + name + '\r\n');

    const typedEcho = (s: string): string => (echo ? s : '');
    const expected =
      typedEcho('help\r\n') +
      HELP_TEXT +
      typedEcho('REQ 1 echx\b \bo a=1\r\n') +
      'ACK 1 0\r\nRES 1 OK a=1\r\n' +
      typedEcho('req 2 echo a=2\r\n') +
      'ACK 2 0\r\n';
    const got = screen(name).slice(before);
    assert.ok(got.startsWith(expected), `${name} shows:\n${JSON.stringify(got)}\nexpected it to start:\n${JSON.stringify(expected)}`);
    // The rest: answers to 2 and 3 (their order against echo depends on the server), then the pings and the hello.
    const rest = got.slice(expected.length);
    for (const part of ['RES 2 OK a=2\r\n', 'ACK 3 0\r\n', 'RES 3 OK a=3\r\n']) assert.ok(rest.includes(part), part);
    const tail = rest.slice(rest.indexOf('RES 3 OK a=3\r\n') + 'RES 3 OK a=3\r\n'.length);
    assert.is(
      tail,
      typedEcho('PING 5\r\n') + 'PONG 5\r\n' + typedEcho('ping\r\n') + 'PONG\r\n' + typedEcho('REQ 4 launch' + '\b \b'.repeat(12) + 'hellx\b \bo bench\r\n') + 'WELCOME test-box ' + name + '\r\n',
    );
    assert.not.match(got, /ERR bad-request|ERR unknown/, 'no line reached the router malformed');
  });
}

test('the data server saw only the six echo requests, none with a control byte', () => {
  assert.is(server!.executions.get('echo'), 6);
});

test.run();
