// One rule for every secret file (src/keys/secret-file.ts), checked through
// each loader that reads one: link keys, the key store file, the PIN file and
// the audit signing key. Every case is refused at once (a FIFO or a device
// never blocks), and every message names the file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLinkKeys, writeKeyPair } from '../../src/keys/link-key-file.js';
import { createFileKeyStore, openFileKeyStore } from '../../src/dataserver/crypto/file-key-store.js';
import { readPin } from '../../src/dataserver/keystore/pin.js';
import { createAuditKey, loadAuditPrivateKey, loadAuditPublicKey } from '../../src/audit/audit-key.js';
import { readSecretFile, SecretFileError } from '../../src/keys/secret-file.js';
import { scratchDir } from '../../src/sim/pty-pair.js';

const scratch = scratchDir('secret');
test.after(() => scratch.remove());
let n = 0;
const fresh = (name: string): string => join(scratch.dir, `${n++}-${name}`);

interface Loader {
  readonly name: string;
  /** Writes a valid file of this kind at `file`. */
  make(file: string): Promise<void>;
  load(file: string): Promise<unknown>;
  readonly json: boolean;
}

const LOADERS: readonly Loader[] = [
  { name: 'link key', json: true, make: async (f) => void writeKeyPair(f, `${f}.peer`, Buffer.of(1), Buffer.of(2)), load: async (f) => loadLinkKeys(f) },
  { name: 'key store', json: true, make: async (f) => void (await (await createFileKeyStore(f, 128)).close()), load: async (f) => (await openFileKeyStore(f)).close() },
  { name: 'PIN file', json: false, make: async (f) => writeFileSync(f, '1234\n', { mode: 0o600 }), load: async (f) => readPin({ file: f }) },
  { name: 'audit key', json: false, make: async (f) => void createAuditKey(f, `${f}.pub`), load: async (f) => loadAuditPrivateKey(f) },
];

async function refusal(loader: Loader, file: string): Promise<string> {
  try {
    await loader.load(file);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${loader.name}: ${file} was accepted`);
}

for (const loader of LOADERS) {
  test(`${loader.name}: a valid file is read`, async () => {
    const f = fresh('ok');
    await loader.make(f);
    await loader.load(f);
  });

  test(`${loader.name}: a FIFO is refused at once, never opened blocking`, async () => {
    const f = fresh('fifo');
    execFileSync('mkfifo', ['-m', '600', f]);
    const msg = await refusal(loader, f);
    assert.ok(msg.includes(f), msg);
    assert.match(msg, /not a regular file \(a FIFO\)/);
  });

  test(`${loader.name}: a device and a folder are refused`, async () => {
    assert.match(await refusal(loader, '/dev/null'), /\/dev\/null.*not a regular file \(a device\)/);
    const dir = fresh('dir');
    mkdirSync(dir, { mode: 0o700 });
    const msg = await refusal(loader, dir);
    assert.ok(msg.includes(dir) && /a folder/.test(msg), msg);
  });

  test(`${loader.name}: a symbolic link to a valid file is refused`, async () => {
    const real = fresh('real');
    await loader.make(real);
    const link = fresh('link');
    symlinkSync(real, link);
    const msg = await refusal(loader, link);
    assert.ok(msg.includes(link), msg);
    assert.match(msg, /is a symbolic link/);
  });

  test(`${loader.name}: a valid file reached through a symlinked folder is refused`, async () => {
    const folder = fresh('folder');
    mkdirSync(folder, { mode: 0o700 });
    await loader.make(join(folder, 'secret'));
    const linkedFolder = fresh('linked-folder');
    symlinkSync(folder, linkedFolder);
    const viaLink = join(linkedFolder, 'secret');
    const msg = await refusal(loader, viaLink);
    assert.ok(msg.includes(viaLink), msg);
    assert.match(msg, /reached through a symbolic link/);
    await loader.load(join(folder, 'secret')); // the real path is fine
  });

  test(`${loader.name}: a file group or others may read is refused`, async () => {
    const f = fresh('loose');
    await loader.make(f);
    chmodSync(f, 0o640);
    const msg = await refusal(loader, f);
    assert.ok(msg.includes(f), msg);
    assert.match(msg, /mode 0640/);
  });

  if (loader.json) {
    test(`${loader.name}: a field given twice is refused, naming it but not its values`, async () => {
      const f = fresh('twice');
      await loader.make(f);
      const text = readFileSync(f, 'utf8');
      const obj = JSON.parse(text) as Record<string, string>;
      const [first, value] = Object.entries(obj)[0]!;
      // The same field again at the end: JSON.parse would keep this last value.
      writeFileSync(f, text.replace(/\s*}\s*$/, `,\n  "${first}": ${JSON.stringify(value)}\n}\n`), { mode: 0o600 });
      const msg = await refusal(loader, f);
      assert.ok(msg.includes(f), msg);
      assert.match(msg, new RegExp(`field '${first}' more than once`));
      assert.not.ok(msg.includes(value));
    });
  }
}

test('a file larger than the limit is refused; the public audit key is not secret but never blocks either', () => {
  const big = fresh('big');
  writeFileSync(big, 'x'.repeat(2000), { mode: 0o600 });
  assert.throws(() => readSecretFile(big, { maxBytes: 1024 }), (e: unknown) => e instanceof SecretFileError && e.rule === 'too-large' && e.message.startsWith(big));
  assert.match(assertThrows(() => readPin({ file: big })), /larger than 1024 bytes/);
  const fifo = fresh('pub-fifo');
  execFileSync('mkfifo', [fifo]);
  assert.match(assertThrows(() => loadAuditPublicKey(fifo)), /a FIFO/);
});

function assertThrows(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('accepted');
}

test.run();
