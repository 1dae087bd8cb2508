// AuditLog, the writer: the lines it writes match the format as an outside
// auditor reads it, checkpoints come when they should, a reopened log carries
// the chain on (and a damaged one is refused), and no key can get in.
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AuditLog, AuditLogError, type AuditEntry } from '../../src/audit/audit-log.js';
import { auditKeyId } from '../../src/audit/audit-key.js';
import { verifyAuditLog } from '../../src/audit/verify.js';
import { auditorCheckpointValid, auditorRecordHash, BASE_TEXT, entry, fresh, isCheckpoint, KEYS, linesOf, OTHER_KEYS, sha256, writeLog } from './helpers.js';

async function openError(file: string, key = KEYS.privateKey): Promise<AuditLogError> {
  try {
    const log = await AuditLog.open(file, key, { fsync: false });
    log.close();
  } catch (e) {
    if (e instanceof AuditLogError) return e;
    throw new Error(`expected an AuditLogError, got ${String(e)}`);
  }
  throw new Error('expected an AuditLogError, the log was opened');
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------
const format = suite('AuditLog: the lines it writes');

format('every record and checkpoint checks out by the format alone, as an outside auditor reads it', () => {
  const lines = linesOf(BASE_TEXT);
  let prev = '0'.repeat(64);
  let lastHash = '';
  for (const line of lines) {
    if (isCheckpoint(line)) {
      assert.ok(auditorCheckpointValid(line, KEYS.publicKey), line);
      const c = JSON.parse(line) as { hash: string; keyId: string };
      assert.is(c.hash, lastHash);
      assert.is(c.keyId, auditKeyId(KEYS.publicKey));
    } else {
      const r = JSON.parse(line) as { prev: string; hash: string };
      assert.is(r.prev, prev, line);
      assert.is(r.hash, auditorRecordHash(line), line);
      lastHash = r.hash;
    }
    prev = sha256(line);
  }
});

format('a record holds the entry: time, router and station, op, csn as hex, key id, outcome', () => {
  const line = linesOf(BASE_TEXT).find((l) => l.startsWith('{"seq":3,'));
  const r = JSON.parse(line as string) as Record<string, unknown>;
  assert.equal(Object.keys(r), ['seq', 'time', 'router', 'station', 'op', 'csn', 'keyId', 'outcome', 'prev', 'hash']);
  assert.equal(
    { seq: r.seq, time: r.time, router: r.router, station: r.station, op: r.op, csn: r.csn, keyId: r.keyId, outcome: r.outcome },
    { seq: 3, time: '2025-01-01T00:00:03.000Z', router: 'r2', station: 'r2/line-3', op: 'issuer-key', csn: null, keyId: null, outcome: 'ok' },
  );
  const cert = JSON.parse(linesOf(BASE_TEXT).find((l) => l.startsWith('{"seq":7,')) as string) as Record<string, unknown>;
  assert.equal([cert.op, cert.csn, cert.keyId, cert.outcome], ['certificate', '0407b2c3', '9f86d081884c7d65', 'key-unavailable']);
});

format('a checkpoint comes after every N records and on close, never twice for the same records', async () => {
  const file = fresh();
  const log = await writeLog(file, 5, { checkpointEvery: 2, close: false });
  assert.is(log.unsignedRecords, 1);
  log.checkpoint();
  log.checkpoint(); // nothing new: no second line
  log.close();
  log.close(); // harmless
  const kinds = linesOf(readFileSync(file, 'utf8')).map((l) => (isCheckpoint(l) ? 'C' : 'R')).join('');
  assert.is(kinds, 'RRCRRCRC');
});

format('a checkpoint comes checkpointMs after the first record no checkpoint covers', async () => {
  const file = fresh();
  const log = await writeLog(file, 3, { checkpointEvery: 0, checkpointMs: 25, close: false });
  assert.is(linesOf(readFileSync(file, 'utf8')).filter(isCheckpoint).length, 0);
  await wait(80);
  assert.is(log.unsignedRecords, 0);
  const lines = linesOf(readFileSync(file, 'utf8'));
  assert.is(lines.length, 4);
  assert.ok(isCheckpoint(lines[3] as string));
  log.close();
  assert.is(linesOf(readFileSync(file, 'utf8')).length, 4); // close had nothing new to sign
});

format('with fsync on (the default) the log is written the same way', async () => {
  const file = fresh();
  const log = await AuditLog.open(file, KEYS.privateKey, { checkpointEvery: 4, checkpointMs: 0 });
  for (let seq = 1; seq <= 6; seq++) log.append(entry(seq));
  log.close();
  assert.equal(verifyAuditLog(readFileSync(file, 'utf8'), KEYS.publicKey), { ok: true, records: 6, checkpoints: 2, unsignedTail: 0 });
  assert.is(statSync(file).mode & 0o777 & ~0o640, 0);
});

format('append after close is refused', async () => {
  const log = await writeLog(fresh(), 1);
  assert.throws(() => log.append(entry(2)), (e: unknown) => e instanceof AuditLogError && /closed/.test(e.message));
});

// ---------------------------------------------------------------------------
const keys = suite('AuditLog: no key material');

keys('an entry with any field beyond the six is refused, naming the field and not its value', async () => {
  const log = await writeLog(fresh(), 0, { close: false });
  const secret = '00112233445566778899aabbccddeeff';
  const bad = { station: 'r1/l1', op: 'transport-key', outcome: 'ok', key: Buffer.from(secret, 'hex') } as unknown as AuditEntry;
  let message = '';
  try {
    log.append(bad);
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /unknown field 'key'/);
  assert.not.match(message, secret);
  log.close();
  assert.is(readFileSync(log.file, 'utf8'), ''); // nothing was written
});

keys('the entry type has no field for a key (a type error, checked by tsc)', async () => {
  const log = await writeLog(fresh(), 0, { close: false });
  // @ts-expect-error -- `key` is not a field of AuditEntry
  const bad: AuditEntry = { station: 'r1/l1', op: 'transport-key', outcome: 'ok', key: new Uint8Array(16) };
  assert.throws(() => log.append(bad), /unknown field 'key'/);
  log.close();
});

keys('missing or empty station, op or outcome is refused', async () => {
  const log = await writeLog(fresh(), 0, { close: false });
  assert.throws(() => log.append({ station: '', op: 'echo', outcome: 'ok' }), /'station'/);
  assert.throws(() => log.append({ station: 'r/l', op: 'echo' } as AuditEntry), /'outcome'/);
  log.close();
});

keys('only an Ed25519 private key signs', async () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let message = '';
  try {
    await AuditLog.open(fresh(), ec.privateKey);
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /Ed25519 private key/);
});

// ---------------------------------------------------------------------------
const reopen = suite('AuditLog: reopening a log');

reopen('a closed log reopened carries the chain on, and the whole still verifies', async () => {
  const file = fresh();
  await writeLog(file, 20); // checkpoints after 8, 16 and (close) 20; then 21..25 and one at close
  const before = linesOf(readFileSync(file, 'utf8'));
  const log = await writeLog(file, 25, { from: 21, close: false });
  assert.is(log.lastSeq, 25);
  log.close();
  const lines = linesOf(readFileSync(file, 'utf8'));
  const first = JSON.parse(lines[before.length] as string) as { seq: number; prev: string };
  assert.equal([first.seq, first.prev], [21, sha256(before[before.length - 1] as string)]);
  assert.equal(verifyAuditLog(readFileSync(file, 'utf8'), KEYS.publicKey), { ok: true, records: 25, checkpoints: 4, unsignedTail: 0 });
});

reopen('a log left unsigned by a crash is continued, and the next checkpoint covers it', async () => {
  const file = fresh();
  const crashed = fresh('crashed.jsonl');
  const log = await writeLog(file, 11, { close: false });
  copyFileSync(file, crashed); // the file as a crash would leave it: records 9..11 unsigned
  log.close();
  const again = await writeLog(crashed, 13, { from: 12, close: false });
  assert.is(again.unsignedRecords, 5);
  again.close();
  assert.equal(verifyAuditLog(readFileSync(crashed, 'utf8'), KEYS.publicKey), { ok: true, records: 13, checkpoints: 2, unsignedTail: 0 });
});

reopen('records a crash left unsigned get their checkpoint checkpointMs after reopening, with no new record', async () => {
  const file = fresh();
  const crashed = fresh('crashed.jsonl');
  const log = await writeLog(file, 3, { checkpointEvery: 0, close: false });
  copyFileSync(file, crashed);
  log.close();
  const again = await AuditLog.open(crashed, KEYS.privateKey, { checkpointEvery: 0, checkpointMs: 20, fsync: false });
  assert.is(again.unsignedRecords, 3);
  await wait(70);
  assert.is(again.unsignedRecords, 0);
  assert.equal(verifyAuditLog(readFileSync(crashed, 'utf8'), KEYS.publicKey), { ok: true, records: 3, checkpoints: 1, unsignedTail: 0 });
  again.close();
});

reopen('a log without any checkpoint is read from its start and continued', async () => {
  const file = fresh();
  const crashed = fresh('crashed.jsonl');
  const log = await writeLog(file, 3, { checkpointEvery: 0, close: false });
  copyFileSync(file, crashed);
  log.close();
  await writeLog(crashed, 4, { from: 4 });
  assert.equal(verifyAuditLog(readFileSync(crashed, 'utf8'), KEYS.publicKey), { ok: true, records: 4, checkpoints: 1, unsignedTail: 0 });
});

reopen('a long unsigned tail (more than one 64 KiB read back) is found and continued', async () => {
  const file = fresh();
  const crashed = fresh('crashed.jsonl');
  const log = await AuditLog.open(file, KEYS.privateKey, { checkpointEvery: 0, checkpointMs: 0, fsync: false });
  const long = (seq: number) => ({ ...entry(seq), station: `r1/${'l'.repeat(60)}-${seq}`, op: `op-${'x'.repeat(100)}` });
  for (let seq = 1; seq <= 10; seq++) log.append(long(seq));
  log.checkpoint();
  for (let seq = 11; seq <= 400; seq++) log.append(long(seq));
  copyFileSync(file, crashed);
  log.close();
  const tailBytes = readFileSync(crashed, 'utf8').split('\n').slice(11).join('\n').length;
  assert.ok(tailBytes > 64 * 1024, `the tail is only ${tailBytes} bytes`);
  const again = await AuditLog.open(crashed, KEYS.privateKey, { fsync: false });
  assert.is(again.lastSeq, 400);
  assert.is(again.unsignedRecords, 390);
  again.append(long(401));
  again.close();
  assert.equal(verifyAuditLog(readFileSync(crashed, 'utf8'), KEYS.publicKey), { ok: true, records: 401, checkpoints: 2, unsignedTail: 0 });
});

reopen('reopening checks from the last checkpoint on: damage further up is left for verify to find', async () => {
  const file = fresh();
  const log = await AuditLog.open(file, KEYS.privateKey, { checkpointEvery: 50, checkpointMs: 0, fsync: false });
  const long = (seq: number) => ({ ...entry(seq), station: `r1/${'l'.repeat(60)}-${seq}`, op: `op-${'x'.repeat(100)}` });
  for (let seq = 1; seq <= 400; seq++) log.append(long(seq));
  log.close();
  // Record 170 sits further back than the first 64 KiB read from the end, and before the last checkpoint (400).
  const text = readFileSync(file, 'utf8');
  assert.ok(text.length - text.indexOf('{"seq":170,') > 64 * 1024);
  writeFileSync(file, text.replace('{"seq":170,"time":"2025-01-01T00:02:50.000Z"', '{"seq":170,"time":"2025-01-01T00:02:51.000Z"'));
  const again = await AuditLog.open(file, KEYS.privateKey, { fsync: false });
  assert.is(again.lastSeq, 400);
  again.close();
  const whole = verifyAuditLog(readFileSync(file, 'utf8'), KEYS.publicKey);
  assert.equal(whole.ok ? undefined : [whole.problem, whole.seq], ['changed', 170]);
});

reopen('a log whose last line is incomplete is refused, naming the file and the line', async () => {
  const file = fresh();
  await writeLog(file, 10);
  appendFileSync(file, '{"seq":11,"time":"2025-01-0');
  const e = await openError(file);
  assert.ok(e.message.startsWith(`${file}: will not append`), e.message);
  assert.match(e.message, /line 13: the last line is incomplete/);
  assert.is(readFileSync(file, 'utf8').endsWith('2025-01-0'), true); // left as it was
});

reopen('a log whose unsigned end was edited is refused, naming the changed record', async () => {
  const file = fresh();
  const log = await writeLog(file, 10, { close: false });
  const text = readFileSync(file, 'utf8'); // records 9 and 10 not yet signed
  log.close();
  writeFileSync(file, text.replace('"seq":10,"time":"2025-01-01T00:00:10.000Z"', '"seq":10,"time":"2025-01-01T00:00:11.000Z"'));
  const e = await openError(file);
  assert.match(e.message, /line 11 \(seq 10\): record was changed/);
});

reopen('a log signed with another key is refused', async () => {
  const file = fresh();
  await writeLog(file, 4);
  const e = await openError(file, OTHER_KEYS.privateKey);
  assert.match(e.message, /checkpoint signature does not verify/);
});

format.run();
keys.run();
reopen.run();
