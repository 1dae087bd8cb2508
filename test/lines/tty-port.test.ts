// The tty-handle line port on real socat ptys: serialport opens and locks the
// device, one TTY handle moves the bytes both ways, writes of one turn leave
// together, an unplug is a disconnection, and a closed port can be reopened.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { constants, openSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';
import { ptyPairs, scratchDir, type PtyPair } from '../../src/sim/pty-pair.js';
import { openTtyLinePort, type TtyLinePort } from '../../src/lines/tty-port.js';
import type { SerialSettings } from '../../src/config/types.js';
import { waitFor } from '../support/wait.js';

const scratch = scratchDir('tty-port');
let pair: PtyPair;
const settings = (path: string): SerialSettings => ({ path, baudRate: 115_200, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false });
const open = (port: TtyLinePort): Promise<Error | null> => new Promise((resolve) => port.open(resolve));
const close = (port: TtyLinePort): Promise<void> => new Promise((resolve) => port.close(resolve));

/** The station's end, read as a test peer should: through tty streams. */
function peer(path: string): { received: Buffer[]; write(b: Buffer): void; end(): void } {
  const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
  const input = new ReadStream(fd);
  const output = new WriteStream(fd);
  const received: Buffer[] = [];
  input.on('data', (c: Buffer) => received.push(c));
  return { received, write: (b) => output.write(b), end: () => (input.destroy(), output.destroy()) };
}

test.before(async () => {
  pair = (await ptyPairs(scratch.dir, ['a'])).get('a')!;
});

test('bytes both ways; writes of one turn arrive together and in order', async () => {
  const port = openTtyLinePort(settings(pair.routerPath));
  assert.is(await open(port), null);
  assert.ok(port.isOpen);
  const station = peer(pair.peerPath);
  const got: Buffer[] = [];
  port.on('data', (c: Buffer) => got.push(c));
  station.write(Buffer.from('hello router'));
  await waitFor('the station bytes', () => Buffer.concat(got).toString() === 'hello router');
  port.write(Buffer.from('ack '));
  port.write(Buffer.from('res'));
  await waitFor('the answer', () => Buffer.concat(station.received).toString() === 'ack res');
  assert.is(station.received.length, 1, 'one write, one chunk');
  await close(port);
  assert.not.ok(port.isOpen);
  station.end();
});

test('the device stays locked while open, and opens again once closed', async () => {
  const first = openTtyLinePort(settings(pair.routerPath));
  assert.is(await open(first), null);
  const second = openTtyLinePort(settings(pair.routerPath));
  assert.match(String(await open(second)), /lock/i);
  await close(first);
  const third = openTtyLinePort(settings(pair.routerPath));
  assert.is(await open(third), null, 'the lock went with the descriptor');
  await close(third);
});

test('an unplugged device (socat gone) closes the port as a disconnection', async () => {
  const [other] = [...(await ptyPairs(scratch.dir, ['b'])).values()];
  const port = openTtyLinePort(settings(other!.routerPath));
  assert.is(await open(port), null);
  port.on('error', () => {});
  let closed: (Error & { disconnected?: boolean }) | null | undefined;
  port.on('close', (e: (Error & { disconnected?: boolean }) | null) => (closed = e));
  await other!.kill();
  const e = await waitFor('the close', () => (closed === undefined ? undefined : { e: closed }));
  assert.is(e.e?.disconnected, true);
  assert.not.ok(port.isOpen);
});

test.after(async () => {
  await pair.kill();
  scratch.remove();
});

test.run();
