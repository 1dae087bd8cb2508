// src/cli/args.ts, the one place for the command line's rules, in-process:
// the parser's general rules, and every command's --help naming every flag
// its parser accepts. The commands' own errors run as real processes in
// usage-errors.test.ts and key-tools.test.ts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hostPort, parseCommandLine, parseOptions, personMessage, positiveInt, UsageError } from '../../src/cli/args.js';

const parser = suite('cli args: parser');
const SPEC = { config: { type: 'string' }, quiet: { type: 'boolean' }, key: { type: 'string', multiple: true }, slots: { type: 'string' } } as const;

function usage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.instance(e, UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

parser('values inline or next, booleans, repeated flags, help', () => {
  assert.equal(parseOptions(['--config', 'a.json', '--quiet', '--key=k1', '--key', 'k2'], SPEC), { config: 'a.json', quiet: true, key: ['k1', 'k2'] });
  assert.equal(parseOptions(['-h'], SPEC), { help: true });
  assert.equal(parseOptions(['--slots', '-3'], SPEC), { slots: '-3' }, 'a value may start with one dash; its checker names it');
});

parser('mistakes name the flag and what is expected', () => {
  assert.is(usage(() => parseOptions(['--config'], SPEC)), '--config needs a value: FILE (a router configuration)');
  assert.is(usage(() => parseOptions(['--slots', '--quiet'], SPEC)), '--slots needs a value: N (a whole number)');
  assert.match(usage(() => parseOptions(['-c', 'x'], SPEC)), /^unknown option '-c': options are spelled out, e\.g\. --config \(this command takes --config, --quiet, --key, --slots\)/);
  assert.match(usage(() => parseOptions(['--seconds', '3'], SPEC)), /^unknown option '--seconds' \(this command takes/);
  assert.is(usage(() => parseOptions(['--quiet=yes'], SPEC)), '--quiet takes no value');
  assert.is(usage(() => parseOptions(['--config', 'a', '--config', 'b'], SPEC)), "--config is given twice ('a' and 'b')");
  assert.match(usage(() => parseOptions(['extra'], SPEC)), /^unexpected argument 'extra' \(this command takes only options/);
});

parser('closed sets are refused whatever the command does with the value', () => {
  const spec = { 'log-level': { type: 'string' }, 'key-bits': { type: 'string' }, boxes: { type: 'string' } } as const;
  assert.is(usage(() => parseOptions(['--log-level', 'loud'], spec)), "--log-level must be debug, info, warn or error, got 'loud'");
  assert.is(usage(() => parseOptions(['--key-bits', '512'], spec)), "--key-bits must be 128 or 256, got '512'");
  assert.is(usage(() => parseOptions(['--boxes', '3'], spec)), "--boxes must be 1 or 2, got '3'");
  assert.equal(parseOptions(['--log-level', 'warn'], spec), { 'log-level': 'warn' });
});

parser('positionals where a command takes them, and after --', () => {
  assert.equal(parseCommandLine(['log.jsonl', '--strict', '--', '--odd-name'], { strict: { type: 'boolean' } }, true), { values: { strict: true }, positionals: ['log.jsonl', '--odd-name'] });
});

parser('numbers and addresses', () => {
  assert.is(positiveInt('4', 'slots', 1, 0, 1024), 4);
  assert.is(positiveInt(undefined, 'slots', 7), 7);
  for (const bad of ['-3', '1.5', '2000', 'four', '']) assert.match(usage(() => positiveInt(bad, 'slots', 1, 0, 1024)), /^--slots must be a whole number from 0 to 1024/);
  assert.equal(hostPort('127.0.0.1:7000', 'listen', true), { host: '127.0.0.1', port: 7000 });
  assert.equal(hostPort('[::1]:0', 'listen', true), { host: '::1', port: 0 });
  assert.is(usage(() => hostPort('127.0.0.1:99999', 'listen', true)), '--listen port must be 0 to 65535, got 99999');
  assert.is(usage(() => hostPort('h:0', 'connect', false)), '--connect port must be 1 to 65535, got 0');
  assert.match(usage(() => hostPort('nowhere', 'listen', true)), /^--listen must be HOST:PORT/);
});

parser('anything thrown becomes one line: system errors in words, others marked internal, never a stack', () => {
  const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'x.json'"), { code: 'ENOENT', path: 'x.json' });
  assert.is(personMessage(enoent), 'persomux: x.json: does not exist');
  const inUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', address: '127.0.0.1', port: 7000 });
  assert.is(personMessage(inUse), 'persomux: 127.0.0.1:7000: address already in use (another program listens there)');
  const bug = personMessage(new TypeError('x is undefined'));
  assert.match(bug, /^persomux: internal error: x is undefined \(PERSOMUX_STACK=1 shows where\)$/);
});

parser.run();

const helps = suite('cli args: --help names every flag');

/** Runs a command function with --help and returns what it printed. */
async function helpOf(run: (args: string[]) => Promise<number>, args: string[]): Promise<string> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    assert.is(await run([...args, '--help']), 0);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

helps('each command and subcommand', async () => {
  const { runCheck, runRouter } = await import('../../src/cli/run.js');
  const { runDataServer } = await import('../../src/cli/dataserver.js');
  const { runSim } = await import('../../src/cli/sim.js');
  const { runKeygen } = await import('../../src/cli/keygen.js');
  const { runKeystore } = await import('../../src/cli/keystore.js');
  const { runHsm } = await import('../../src/cli/hsm.js');
  const { runAudit } = await import('../../src/cli/audit.js');
  const { runReload } = await import('../../src/cli/reload.js');
  // The flags each command's parser accepts (src/cli/*.ts).
  const cases: [string, (a: string[]) => Promise<number>, string[], string[]][] = [
    ['run', runRouter, [], ['--config', '--log-level', '--pid-file']],
    ['check', runCheck, [], ['--config']],
    ['dataserver', runDataServer, [], ['--key', '--insecure', '--listen', '--serial', '--baud', '--slots', '--max-body', '--service-time', '--name', '--log-level', '--keys', '--token', '--pin-file', '--module', '--key-bits', '--audit', '--audit-key']],
    ['sim', runSim, [], ['--seconds', '--machines', '--stations', '--servers', '--slots', '--service-time', '--chip-ms', '--boxes', '--wrong-key', '--key-bits', '--quiet', '--log-level', '--keep']],
    ['keygen', runKeygen, [], ['--router', '--server', '--router-id', '--server-id']],
    ['keystore create', runKeystore, ['create'], ['--file', '--bits']],
    ['hsm init', runHsm, ['init'], ['--token', '--pin-file', '--module', '--bits', '--replace', '--yes']],
    ['audit', runAudit, ['verify'], ['--public-key', '--strict', '--private', '--public']],
    ['reload', runReload, [], ['--pid-file', '--pid']],
  ];
  for (const [name, run, args, flags] of cases) {
    const text = await helpOf(run, args);
    for (const flag of flags) assert.ok(new RegExp(`${flag}\\b`).test(text), `${name} --help does not name ${flag}:\n${text}`);
  }
});

helps.run();
