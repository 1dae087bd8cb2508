// Issue 10 item 5: every CLI error the issue saw reaches a person as a
// message naming the flag or file and what is expected; unknown values are
// refused; --version. Through the real commands: each process start costs
// 0.4-0.7 s of CPU (tsx compiling the command's modules), so the cases run
// four at a time and the parser's general rules are tested in-process
// (args.test.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { scratchDir } from '../../src/sim/pty-pair.js';
import { persomux, RAW_NODE, runAll } from './cli-runner.js';

const scratch = scratchDir('cli-errors');
let busy: Server | undefined;
test.after(async () => {
  if (busy) await new Promise((r) => busy!.close(r));
  scratch.remove();
});

/** [arguments, exit status, what stderr must say] */
type Case = readonly [readonly string[], number, RegExp];

test('each mistake is named with its flag or file and what is expected, exit 2 for usage and 1 for a file', async () => {
  busy = createServer();
  await new Promise<void>((r) => busy!.listen(0, '127.0.0.1', r));
  const busyPort = (busy.address() as { port: number }).port;
  writeFileSync(join(scratch.dir, 'cron.json'), JSON.stringify({ router: 'r', lines: [{ name: 'l', path: '/dev/x' }], servers: [{ name: 'ds1', tcp: '127.0.0.1:7000', insecure: true, rehandshake: '0 3 * * *' }] }));
  const store = await persomux(scratch.dir, ['keystore', 'create', '--file', 'keys128.json']);
  assert.is(store.status, 0, store.stderr);
  const cases: Case[] = [
    [['run', '--config'], 2, /^--config needs a value: FILE/],
    [['check', '-c', 'x.json'], 2, /^unknown option '-c': options are spelled out, e.g. --config/],
    [['run', '--config', 'x.json', '--log-level', 'loud'], 2, /^--log-level must be debug, info, warn or error, got 'loud'/],
    [['check', '--config', 'missing.json'], 1, /^missing\.json: \(file\): cannot be read: does not exist\n/],
    [['check', '--config', '.'], 1, /^\.: \(file\): cannot be read: is a folder, not a file\n/],
    [['check', '--config', 'cron.json'], 1, /servers\[0\]\.rehandshake: a plaintext link \(insecure: true\) makes no handshake to repeat/],
    [['dataserver', '--insecure', '--listen', '127.0.0.1:99999'], 2, /^--listen port must be 0 to 65535, got 99999/],
    [['dataserver', '--insecure', '--slots', '--listen', '127.0.0.1:1'], 2, /^--slots needs a value: N/],
    [['dataserver', '--insecure', '--listen', `127.0.0.1:${busyPort}`, '--service-time', '1'], 1, new RegExp(`--listen 127\\.0\\.0\\.1:${busyPort}: address already in use`)],
    [['dataserver', '--key', 'nothere.key'], 1, /--key nothere\.key: cannot be read \(does not exist\)/],
    [['dataserver', '--insecure', '--keys', 'keys128.json', '--key-bits', '256'], 1, /--key-bits 256, but the key store keys128\.json holds 128-bit master keys/],
    [['sim', '--servers', '2', '--wrong-key', 'ds9'], 2, /^--wrong-key names a data server of this run, ds1 to ds2, got 'ds9'/],
    [['keystore', 'create', '--file', 'no/such/keys.json'], 1, /keys\.json: cannot be created: its folder no\/such does not exist/],
  ];
  const runs = await runAll(cases.map(([args]) => () => persomux(scratch.dir, args)));
  runs.forEach((r, i) => {
    const [args, status, message] = cases[i]!;
    const what = `persomux ${args.join(' ')}:\n${r.stderr}`;
    assert.is(r.status, status, what);
    assert.match(r.stderr, message, what);
    assert.not.match(r.stderr, RAW_NODE, what);
  });
});

test('--version on every command: the package version and the commit when known', async () => {
  // main.ts answers --version before any command runs: the top level, a command and a subcommand show it.
  const commands = [[], ['run', '--config', 'x.json'], ['audit', 'verify']];
  const runs = await runAll(commands.map((c) => () => persomux(scratch.dir, [...c, '--version'])));
  const version = (JSON.parse(await import('node:fs').then((fs) => fs.readFileSync('package.json', 'utf8'))) as { version: string }).version;
  for (const r of runs) {
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^persomux ${version.replace(/\./g, '\\.')}( \\(commit [0-9a-f]{7,}(-modified)?\\))?\\n$`), r.stdout);
  }
  assert.is(new Set(runs.map((r) => r.stdout)).size, 1, 'the same text everywhere');
});

test.run();
