// `persomux audit` through runAudit (main.ts does not route to it yet): what
// it prints and its exit codes for an intact log, a tampered one, an unsigned
// tail, key generation, and usage errors.
import { writeFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runAudit } from '../../src/cli/audit.js';
import { BASE, captured, fresh, indexOfSeq, KEYS, tamperedCopy } from './helpers.js';

const PUB = fresh('audit.pub');
writeFileSync(PUB, KEYS.publicKey.export({ type: 'spki', format: 'pem' }));

const cli = suite('persomux audit');

cli('verify on an intact log prints the counts and "chain intact", exit 0', async () => {
  const r = await captured(() => runAudit(['verify', BASE, '--public-key', PUB]));
  assert.equal(r, { code: 0, stdout: `${BASE}: 50 records, 7 checkpoints, chain intact\n`, stderr: '' });
});

cli('verify on a tampered copy prints the first problem, exit 1', async () => {
  const { file } = tamperedCopy((l) => {
    const i = indexOfSeq(l, 17);
    l[i] = (l[i] as string).replace('"outcome":"ok"', '"outcome":"bad-request"');
    return l;
  });
  const r = await captured(() => runAudit(['verify', file, '--public-key', PUB]));
  assert.is(r.code, 1);
  assert.is(r.stdout, `${file}: line 19 (seq 17): record was changed: its hash does not match its content\n`);
});

cli('an unsigned tail is a warning, and a problem with --strict', async () => {
  const { file } = tamperedCopy((l) => l.slice(0, indexOfSeq(l, 50) + 1));
  const warned = await captured(() => runAudit(['verify', file, '--public-key', PUB]));
  assert.is(warned.code, 0);
  assert.is(warned.stdout, `${file}: 50 records, 6 checkpoints, chain intact; the last 2 records are not yet covered by a checkpoint (they could be cut off without trace)\n`);
  const strict = await captured(() => runAudit(['verify', '--strict', file, '--public-key', PUB]));
  assert.is(strict.code, 1);
  assert.match(strict.stdout, /unsigned|not covered by a checkpoint/);
});

cli('keygen writes a pair the verifier accepts, and refuses to overwrite it', async () => {
  const priv = fresh('k.key');
  const pub = fresh('k.pub');
  const made = await captured(() => runAudit(['keygen', '--private', priv, '--public', pub]));
  assert.is(made.code, 0);
  assert.match(made.stdout, /^wrote .* \(private, mode 0600\) and .* \(public\); key id [0-9a-f]{16}\n$/);
  const again = await captured(() => runAudit(['keygen', '--private', priv, '--public', pub]));
  assert.is(again.code, 1);
  assert.match(again.stderr, /already exists/);
  // Another key than the log's: the first checkpoint does not verify.
  const other = await captured(() => runAudit(['verify', BASE, '--public-key', pub]));
  assert.is(other.code, 1);
  assert.match(other.stdout, /checkpoint signature does not verify/);
});

cli('usage errors exit 2 with the help; --help exits 0; an unreadable log exits 1', async () => {
  const noKey = await captured(() => runAudit(['verify', BASE]));
  assert.is(noKey.code, 2);
  assert.match(noKey.stderr, /--public-key FILE is required/);
  assert.match(noKey.stderr, /Usage: persomux audit verify/);
  assert.is((await captured(() => runAudit(['verify', '--public-key', PUB]))).code, 2);
  assert.is((await captured(() => runAudit(['frobnicate']))).code, 2);
  assert.is((await captured(() => runAudit([]))).code, 2);
  const helped = await captured(() => runAudit(['--help']));
  assert.is(helped.code, 0);
  assert.match(helped.stdout, /persomux audit keygen --private FILE --public FILE/);
  assert.is((await captured(() => runAudit(['verify', '--help']))).code, 0);
  const missing = await captured(() => runAudit(['verify', fresh('none.jsonl'), '--public-key', PUB]));
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /cannot be read: does not exist/);
});

cli.run();
