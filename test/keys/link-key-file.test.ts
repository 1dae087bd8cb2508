// Link key files (PROTOCOL.md 3): written in matching pairs with mode 0600,
// refused when others may read them or when malformed, and never quoted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyFileError, loadLinkKeys, writeKeyPair } from '../../src/keys/link-key-file.js';
import { parseConfigText } from '../../src/config/load.js';
import { scratchDir } from '../../src/sim/pty-pair.js';

const scratch = scratchDir('keys');
test.after(() => scratch.remove());

test('keygen writes a matching pair, mode 0600, ids swapped', () => {
  const a = join(scratch.dir, 'router.key');
  const b = join(scratch.dir, 'server.key');
  writeKeyPair(a, b, Buffer.of(1), Buffer.of(2));
  for (const f of [a, b]) assert.is(statSync(f).mode & 0o777, 0o600);
  const ka = loadLinkKeys(a);
  const kb = loadLinkKeys(b);
  assert.ok(ka.masterSecret.equals(kb.masterSecret) && ka.masterSalt.equals(kb.masterSalt));
  assert.ok(ka.masterSecret.length >= 16);
  assert.ok(ka.senderId.equals(kb.recipientId) && ka.recipientId.equals(kb.senderId));
  assert.throws(() => writeKeyPair(a, join(scratch.dir, 'other.key'), Buffer.of(1), Buffer.of(2)), /already exists/);
});

test('a key file readable by group or others is refused, naming the file and the mode', () => {
  const a = join(scratch.dir, 'loose.key');
  writeKeyPair(a, join(scratch.dir, 'loose-peer.key'), Buffer.of(1), Buffer.of(2));
  chmodSync(a, 0o644);
  try {
    loadLinkKeys(a);
    assert.unreachable('a 0644 key file was accepted');
  } catch (e) {
    assert.instance(e, KeyFileError);
    assert.match((e as Error).message, new RegExp(`^${a}: .*mode 0644.*chmod 600`));
  }
});

test('the configuration names the server, the field and the reason for a bad key file', () => {
  const a = join(scratch.dir, 'cfg.key');
  writeKeyPair(a, join(scratch.dir, 'cfg-peer.key'), Buffer.of(1), Buffer.of(2));
  chmodSync(a, 0o640);
  const file = join(scratch.dir, 'router.json');
  try {
    parseConfigText(file, JSON.stringify({ router: 'r', lines: [{ name: 'l', path: '/dev/x' }], servers: [{ name: 'hsm', tcp: '10.1.2.3:7000', keyFile: 'cfg.key' }] }));
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /router\.json: servers\[0\]\.keyFile: .*cfg\.key: is readable or writable by group or others \(mode 0640\)/);
  }
});

test('malformed key files are refused by field, and no message quotes a secret', () => {
  const secret = 'a1'.repeat(20);
  const cases: [object, RegExp][] = [
    [{ masterSecret: secret.slice(0, 20), senderId: '01', recipientId: '02' }, /'masterSecret' must be 16 to 1024 bytes, it has 10/],
    [{ masterSecret: secret + 'z', senderId: '01', recipientId: '02' }, /'masterSecret' must be a string of hex digit pairs/],
    [{ masterSecret: secret, senderId: '0102030405060708', recipientId: '02' }, /'senderId' must be 0 to 7 bytes/],
    [{ masterSecret: secret, senderId: '01', recipientId: '01' }, /must differ/],
    [{ masterSecret: secret, senderId: '01', recipientId: '02', extra: 1 }, /unknown field 'extra'/],
  ];
  cases.forEach(([content, expected], i) => {
    const f = join(scratch.dir, `bad${i}.key`);
    writeFileSync(f, JSON.stringify(content), { mode: 0o600 });
    try {
      loadLinkKeys(f);
      assert.unreachable(`case ${i} accepted`);
    } catch (e) {
      assert.match((e as Error).message, expected);
      assert.not.match((e as Error).message, /a1a1a1/, 'the secret is never quoted');
    }
  });
  const notJson = join(scratch.dir, 'notjson.key');
  writeFileSync(notJson, `{"masterSecret": "${secret}",`, { mode: 0o600 });
  assert.throws(() => loadLinkKeys(notJson), (e: Error) => /is not valid JSON/.test(e.message) && !e.message.includes(secret));
  assert.ok(readFileSync(notJson, 'utf8').includes(secret));
});

test('two peers whose key files expect the same kid are refused, naming the second', () => {
  writeKeyPair(join(scratch.dir, 'a.key'), join(scratch.dir, 'a-peer.key'), Buffer.of(1), Buffer.of(2));
  writeKeyPair(join(scratch.dir, 'c.key'), join(scratch.dir, 'c-peer.key'), Buffer.of(1), Buffer.of(3));
  try {
    parseConfigText(
      join(scratch.dir, 'box-b.json'),
      JSON.stringify({ router: 'b', lines: [{ name: 'l', path: '/dev/x' }], peerPort: { listen: '0.0.0.0:7300', peers: [{ name: 'box-a', keyFile: 'a-peer.key' }, { name: 'box-c', keyFile: 'c-peer.key' }] } }),
    );
    assert.unreachable('two peers with one kid accepted');
  } catch (e) {
    assert.match((e as Error).message, /peerPort\.peers\[1\]\.keyFile \(its recipientId\): '01' is already used by peerPort\.peers\[0\]/);
  }
});

test('a symbolic link to a key file is refused', () => {
  const real = join(scratch.dir, 'real.key');
  writeKeyPair(real, join(scratch.dir, 'real-peer.key'), Buffer.of(1), Buffer.of(2));
  const link = join(scratch.dir, 'link.key');
  symlinkSync(real, link);
  assert.throws(() => loadLinkKeys(link), /symbolic link/);
});

test.run();
