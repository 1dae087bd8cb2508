// The link core both ends share: frames become handshake bodies, messages, or
// typed drops; the channel set by one frame applies to the next frame of the
// same chunk.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LinkCore } from '../../src/links/link-core.js';
import { plainChannel } from '../../src/secure/channel.js';
import { SecureSession } from '../../src/secure/session.js';
import { deriveContext } from '../../src/secure/context.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeMessage } from '../../src/wire/messages.js';
import { parseServerMessage } from '../../src/wire/parse.js';

const ready = encodeMessage({ t: 'ready', slots: 2, ops: ['echo'] });
const ctx = (sender: number, recipient: number, secret = 5) =>
  deriveContext({ masterSecret: Buffer.alloc(16, secret), masterSalt: Buffer.alloc(8, 1), senderId: Buffer.of(sender), recipientId: Buffer.of(recipient), idContext: Buffer.alloc(16, 2) });

test('a channel set after the first frame of a chunk opens the second (opened and ready arrive together)', () => {
  const core = new LinkCore(4096, parseServerMessage);
  const server = new SecureSession(ctx(2, 1));
  const chunk = Buffer.concat([encodeFrame(encodeMessage({ t: 'opened', v: 1, kid: Buffer.of(2), r: Buffer.alloc(8, 7) })), encodeFrame(server.seal(ready))]);
  const kinds: string[] = [];
  for (const input of core.push(chunk)) {
    kinds.push(input.kind);
    if (input.kind === 'handshake') core.use(new SecureSession(ctx(1, 2)));
  }
  assert.equal(kinds, ['handshake', 'message']);
});

test('garbage, an unsealable frame, a bad message: each a typed input, in order', () => {
  const core = new LinkCore(4096, parseServerMessage);
  core.use(new SecureSession(ctx(1, 2)));
  const wrongKey = new SecureSession(ctx(2, 1, 6)); // the server's kid, another master secret
  const chunk = Buffer.concat([Buffer.from([1, 2, 3, 0]), encodeFrame(wrongKey.seal(ready)), encodeFrame(new SecureSession(ctx(2, 1)).seal(encodeMessage({ t: 'ready', slots: 'x' } as never)))]);
  const inputs = [...core.push(chunk)].map((i) => (i.kind === 'discard' || i.kind === 'unsealable' ? `${i.kind}:${i.reason}` : i.kind === 'bad' ? `bad:${i.problem.kind}` : i.kind));
  assert.equal(inputs, ['discard:short', 'unsealable:decrypt', 'bad:bad-field']);
});

test('plaintext: messages at once; encode frames what decode reads', () => {
  const core = new LinkCore(4096, parseServerMessage);
  core.use(plainChannel);
  const inputs = [...core.push(core.encode({ t: 'ready', slots: 3, ops: [] })!)];
  assert.equal(inputs, [{ kind: 'message', msg: { t: 'ready', slots: 3, ops: [] } }]);
});

test.run();
