// Op execution behind the audit gate, with plain values: one audit record per
// answered op, executions counted by op, every failure still one answer, and
// a server whose audit trail fails withholds every answer from then on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeyUnavailableError } from '../../src/dataserver/crypto/key-store.js';
import { OpExecutor, UNAUDITED, type AuditEntry } from '../../src/dataserver/executor.js';
import type { OpHandler } from '../../src/dataserver/ops/op.js';
import { createLogger } from '../../src/log/logger.js';
import { encodeCbor } from '../../src/wire/cbor.js';

const csn = Buffer.from('04a1b2c3', 'hex');
const ops = new Map<string, OpHandler>([
  ['echo', (body) => ({ ok: true, body: body ?? encodeCbor(null) })],
  ['key', () => ({ ok: true, body: encodeCbor({ key: Buffer.alloc(16, 0x5a) }), audit: { csn, keyId: 'k1' } })],
  ['refuse', () => ({ ok: false, err: { code: 'bad-request', msg: "field 'csn': is missing" } })],
  ['token-gone', () => ({ ok: false, err: { code: 'key-unavailable', msg: 'the key store cannot serve this key now' }, detail: 'slot 0 token removed' })],
  ['throws-key', () => Promise.reject(new KeyUnavailableError('module not loaded'))],
  ['throws', () => Promise.reject(new TypeError('a bug'))],
]);

function executor(options: { failAppend?: () => boolean } = {}) {
  const audited: AuditEntry[] = [];
  const keyUnavailable: string[] = [];
  const logLines: string[] = [];
  let auditFailed = 0;
  const ex = new OpExecutor({
    ops,
    audit: {
      append: (entry) => {
        if (options.failAppend?.()) throw new Error('disk full');
        audited.push(entry);
      },
    },
    log: createLogger({ level: 'debug', write: (l) => logLines.push(l) }),
    onKeyUnavailable: (why) => keyUnavailable.push(why),
    onAuditFailed: () => auditFailed++,
  });
  return { ex, audited, keyUnavailable, logLines, auditFailed: () => auditFailed };
}

const work = (id: number, op: string, body?: unknown) => ({ t: 'req' as const, id, op, station: 'box-1/m1-s1', ttl: 1000, ...(body === undefined ? {} : { body: encodeCbor(body) }) });

test('each answered op is audited once, with the card and key it was about, never the key', async () => {
  const { ex, audited } = executor();
  const a = await ex.execute(work(1, 'key'));
  const b = await ex.execute(work(2, 'refuse'));
  assert.ok(a.ok);
  assert.ok(!b.ok && b.err.code === 'bad-request');
  assert.equal(audited, [
    { station: 'box-1/m1-s1', op: 'key', csn, keyId: 'k1', outcome: 'ok' },
    { station: 'box-1/m1-s1', op: 'refuse', outcome: 'bad-request' },
  ]);
});

test('executions are counted by op; an op not served here is answered unknown-op and not counted', async () => {
  const { ex, audited } = executor();
  await ex.execute(work(1, 'echo', 'a'));
  await ex.execute(work(2, 'echo', 'b'));
  await ex.execute(work(3, 'key'));
  const unknown = await ex.execute(work(4, 'no-such-op'));
  assert.ok(!unknown.ok && unknown.err.code === 'unknown-op');
  assert.equal([...ex.executions], [['echo', 2], ['key', 1]]);
  assert.is(audited.at(-1)?.outcome, 'unknown-op', 'the refusal is an answer too, and audited');
});

test('key-unavailable, returned or thrown, is reported with its detail; the station sees only the code', async () => {
  const { ex, keyUnavailable, logLines } = executor();
  const returned = await ex.execute(work(1, 'token-gone'));
  const thrown = await ex.execute(work(2, 'throws-key'));
  assert.ok(!returned.ok && returned.err.code === 'key-unavailable');
  assert.ok(!thrown.ok && thrown.err.code === 'key-unavailable' && !/module/.test(thrown.err.msg), JSON.stringify(thrown));
  assert.equal(keyUnavailable, ['slot 0 token removed', "op 'throws-key' failed"]);
  assert.ok(logLines.some((l) => /error dataserver\.op-failed op=throws-key error="module not loaded"/.test(l)));
});

test('an op that throws anything else is answered internal, and the key store is not blamed', async () => {
  const { ex, keyUnavailable } = executor();
  const res = await ex.execute(work(1, 'throws'));
  assert.ok(!res.ok && res.err.code === 'internal', JSON.stringify(res));
  assert.equal(keyUnavailable, []);
});

test('the audit trail fails: that answer and every later one are withheld; the owner hears it once', async () => {
  let broken = false;
  const { ex, audited, auditFailed, logLines } = executor({ failAppend: () => broken });
  assert.ok((await ex.execute(work(1, 'key'))).ok);
  broken = true;
  assert.equal(await ex.execute(work(2, 'key')), UNAUDITED, 'the key computed is not sent');
  assert.not.ok(ex.auditing);
  broken = false; // even a trail that works again is not trusted before a restart
  assert.equal(await ex.execute(work(3, 'echo', 'x')), UNAUDITED);
  assert.is(auditFailed(), 1);
  assert.is(audited.length, 1);
  assert.ok(logLines.some((l) => /error dataserver\.audit-failed why="disk full" slots=0/.test(l)));
});

test.run();
