// verifyAuditLog on edited copies of a 50-record log: every kind of edit is
// named, on the right line, with the right seq, and the intact log passes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { signedCheckpointLine } from '../../src/audit/checkpoint.js';
import { verifyAuditLog, type AuditVerifyResult } from '../../src/audit/verify.js';
import { BASE_TEXT, forgeRecord, indexOfSeq, isCheckpoint, KEYS, linesOf, OTHER_KEYS, rehash, relink, sha256, tamperedCopy } from './helpers.js';

const LINES = linesOf(BASE_TEXT);
/** File line number (from 1) of record `seq` in the base log. */
const lineOf = (seq: number): number => indexOfSeq(LINES, seq) + 1;

function check(text: string): AuditVerifyResult {
  return verifyAuditLog(text, KEYS.publicKey);
}

function problemOf(text: string): Exclude<AuditVerifyResult, { ok: true }> {
  const r = check(text);
  if (r.ok) throw new Error('expected a problem, the log verified');
  return r;
}

// ---------------------------------------------------------------------------
const intact = suite('audit verify: intact logs');

intact('the base log verifies with its counts: 50 records, 7 checkpoints, none unsigned', () => {
  assert.equal(check(BASE_TEXT), { ok: true, records: 50, checkpoints: 7, unsignedTail: 0 });
  // The layout the line numbers below rely on: a checkpoint after every 8 records and at the close.
  assert.is(LINES.length, 57);
  assert.is(LINES.filter(isCheckpoint).length, 7);
  assert.is(lineOf(17), 19);
});

intact('an empty log verifies, with nothing in it', () => {
  assert.equal(check(''), { ok: true, records: 0, checkpoints: 0, unsignedTail: 0 });
});

intact('a log cut off after a record reports the records no checkpoint covers, and --strict refuses them', () => {
  const { text } = tamperedCopy((l) => l.slice(0, indexOfSeq(l, 45) + 1));
  assert.equal(check(text), { ok: true, records: 45, checkpoints: 5, unsignedTail: 5 });
  const strict = verifyAuditLog(text, KEYS.publicKey, { requireSigned: true });
  assert.is(strict.ok, false);
  if (strict.ok) return;
  assert.is(strict.problem, 'unsigned-tail');
  assert.is(strict.line, lineOf(41));
  assert.is(strict.seq, 41);
  assert.match(strict.message, /5 records from here to the end are not covered by a checkpoint/);
});

// ---------------------------------------------------------------------------
const changed = suite('audit verify: changed records');

changed('an edited field of record 17 is named on its line: changed, hash does not match', () => {
  const { text } = tamperedCopy((l) => {
    const i = indexOfSeq(l, 17);
    l[i] = (l[i] as string).replace('"outcome":"ok"', '"outcome":"bad-request"');
    return l;
  });
  assert.is.not(text, BASE_TEXT);
  const p = problemOf(text);
  assert.is(p.problem, 'changed');
  assert.is(p.line, 19);
  assert.is(p.seq, 17);
  assert.is(p.message, 'line 19 (seq 17): record was changed: its hash does not match its content');
});

changed('an edited seq is still named as a change on that line, with the seq that was due', () => {
  const { text } = tamperedCopy((l) => {
    const i = indexOfSeq(l, 17);
    l[i] = (l[i] as string).replace('"seq":17,', '"seq":71,');
    return l;
  });
  const p = problemOf(text);
  assert.is(p.problem, 'changed');
  assert.is(p.line, lineOf(17));
  assert.match(p.message, /seq 17 was due here/);
});

changed('added whitespace is a change too: the hash covers the exact bytes', () => {
  const { text } = tamperedCopy((l) => {
    const i = indexOfSeq(l, 17);
    l[i] = (l[i] as string).replace('"seq":17,', '"seq": 17,');
    return l;
  });
  const p = problemOf(text);
  assert.is(p.problem, 'changed');
  assert.is(p.line, lineOf(17));
});

changed('an edit with its hash recomputed is named on the edited line: the next record does not chain to it', () => {
  const { text } = tamperedCopy((l) => {
    const i = indexOfSeq(l, 17);
    l[i] = rehash((l[i] as string).replace('"outcome":"ok"', '"outcome":"bad-request"'));
    return l;
  });
  const p = problemOf(text);
  assert.is(p.problem, 'changed');
  assert.is(p.line, lineOf(17));
  assert.is(p.seq, 17);
  assert.match(p.message, /hash recomputed/);
});

changed('an edit with the chain rebuilt up to the next checkpoint is caught by that checkpoint, naming the range', () => {
  const { text } = tamperedCopy((l) => {
    let i = indexOfSeq(l, 17);
    l[i] = rehash((l[i] as string).replace('"outcome":"ok"', '"outcome":"bad-request"'));
    for (i++; !isCheckpoint(l[i] as string); i++) l[i] = relink(l[i] as string, sha256(l[i - 1] as string));
    return l;
  });
  const p = problemOf(text);
  assert.is(p.problem, 'changed');
  assert.is(p.line, lineOf(24) + 1); // the checkpoint after seq 24
  assert.is(p.seq, undefined);
  assert.match(p.message, new RegExp(`records seq 17 to 24 \\(lines ${lineOf(17)} to ${lineOf(24)}\\)`));
});

// ---------------------------------------------------------------------------
const removed = suite('audit verify: removed records');

removed('deleting record 23 is named as removed, at the line where it was, with seq 23', () => {
  const { text } = tamperedCopy((l) => l.filter((_, i) => i !== indexOfSeq(l, 23)));
  const p = problemOf(text);
  assert.is(p.problem, 'removed');
  assert.is(p.line, lineOf(23));
  assert.is(p.seq, 23);
  assert.is(p.message, `line ${lineOf(23)}: record seq 23 was removed: missing before this line, which holds seq 24 and chains to a line that is not in the log`);
});

removed('deleting records 23 to 25 names the whole gap', () => {
  const { text } = tamperedCopy((l) => l.filter((_, i) => i < indexOfSeq(l, 23) || i > indexOfSeq(l, 25)));
  const p = problemOf(text);
  assert.is(p.problem, 'removed');
  assert.is(p.seq, 23);
  assert.match(p.message, /records seq 23 to 25 were removed/);
});

removed('deleting the record just before a checkpoint is named by that checkpoint', () => {
  const { text } = tamperedCopy((l) => l.filter((_, i) => i !== indexOfSeq(l, 24)));
  const p = problemOf(text);
  assert.is(p.problem, 'removed');
  assert.is(p.line, lineOf(24)); // the checkpoint moved up into its place
  assert.is(p.seq, 24);
  assert.match(p.message, /record seq 24 was removed: missing before this checkpoint/);
});

removed('deleting the first record is named as removed seq 1', () => {
  const { text } = tamperedCopy((l) => l.slice(1));
  const p = problemOf(text);
  assert.is(p.problem, 'removed');
  assert.is(p.line, 1);
  assert.is(p.seq, 1);
});

removed('deleting a checkpoint in the middle breaks the chain at the record after it', () => {
  const { text } = tamperedCopy((l) => l.filter((_, i) => i !== indexOfSeq(l, 24) + 1));
  const p = problemOf(text);
  assert.is(p.line, lineOf(24));
  assert.match(p.message, /a checkpoint line after it was removed/);
});

// ---------------------------------------------------------------------------
const inserted = suite('audit verify: inserted records');

inserted('a forged record between 30 and 31, chained and hashed correctly, is named as inserted', () => {
  const at = indexOfSeq(LINES, 31);
  const forged = forgeRecord({ seq: 31, prev: sha256(LINES[at - 1] as string) });
  const { text } = tamperedCopy((l) => [...l.slice(0, at), forged, ...l.slice(at)]);
  const p = problemOf(text);
  assert.is(p.problem, 'inserted');
  assert.is(p.line, at + 1); // the forged line, not the genuine 31 after it
  assert.is(p.seq, 31);
  assert.match(p.message, new RegExp(`line ${at + 2} \\(seq 31\\) chains to line ${at}`));
});

inserted('a forged record with a made-up prev is named as inserted: the genuine next record still chains past it', () => {
  const at = indexOfSeq(LINES, 31);
  const forged = forgeRecord({ seq: 31, prev: sha256('nothing in this log') });
  const { text } = tamperedCopy((l) => [...l.slice(0, at), forged, ...l.slice(at)]);
  const p = problemOf(text);
  assert.is(p.problem, 'inserted');
  assert.is(p.line, at + 1);
  assert.is(p.seq, 31);
});

inserted('a forged record that repeats seq 30 is named as inserted', () => {
  const at = indexOfSeq(LINES, 31);
  const forged = forgeRecord({ seq: 30, prev: sha256(LINES[at - 1] as string) });
  const { text } = tamperedCopy((l) => [...l.slice(0, at), forged, ...l.slice(at)]);
  const p = problemOf(text);
  assert.is(p.problem, 'inserted');
  assert.is(p.line, at + 1);
  assert.is(p.seq, 30);
});

inserted('a copy of a genuine record pasted later is named as a copy', () => {
  const at = indexOfSeq(LINES, 31);
  const { text } = tamperedCopy((l) => [...l.slice(0, at), l[indexOfSeq(l, 5)] as string, ...l.slice(at)]);
  const p = problemOf(text);
  assert.is(p.problem, 'inserted');
  assert.is(p.line, at + 1);
  assert.is(p.seq, 5);
  assert.match(p.message, new RegExp(`copy of line ${lineOf(5)}`));
});

inserted('a forged record just before a checkpoint is named by the checkpoint that does not sign it', () => {
  const at = indexOfSeq(LINES, 32) + 1; // the checkpoint after 32
  const forged = forgeRecord({ seq: 33, prev: sha256(LINES[at - 1] as string) });
  const { text } = tamperedCopy((l) => [...l.slice(0, at), forged, ...l.slice(at)]);
  const p = problemOf(text);
  assert.is(p.problem, 'inserted');
  assert.is(p.line, at + 1);
  assert.is(p.seq, 33);
});

inserted('a copied checkpoint is named as inserted', () => {
  const cp = indexOfSeq(LINES, 16) + 1;
  const { text } = tamperedCopy((l) => [...l.slice(0, cp + 1), l[cp] as string, ...l.slice(cp + 1)]);
  const p = problemOf(text);
  assert.is(p.problem, 'inserted');
  assert.is(p.line, cp + 2);
  assert.match(p.message, new RegExp(`checkpoint was inserted: it is a copy of line ${cp + 1}`));
});

// ---------------------------------------------------------------------------
const reordered = suite('audit verify: reordered records');

reordered('swapping records 33 and 34 is named as out of order, at the first of them', () => {
  const { text } = tamperedCopy((l) => {
    const a = indexOfSeq(l, 33);
    [l[a], l[a + 1]] = [l[a + 1] as string, l[a] as string];
    return l;
  });
  const p = problemOf(text);
  assert.is(p.problem, 'reordered');
  assert.is(p.line, lineOf(33));
  assert.is(p.seq, 34);
  assert.match(p.message, /out of order/);
});

reordered('swapping two records apart (41 and 44) is named as out of order', () => {
  const { text } = tamperedCopy((l) => {
    const a = indexOfSeq(l, 41);
    const b = indexOfSeq(l, 44);
    [l[a], l[b]] = [l[b] as string, l[a] as string];
    return l;
  });
  const p = problemOf(text);
  assert.is(p.problem, 'reordered');
  assert.is(p.line, lineOf(41));
  assert.is(p.seq, 44);
});

reordered('a checkpoint moved above the record it signs is named as out of order', () => {
  const { text } = tamperedCopy((l) => {
    const r = indexOfSeq(l, 16);
    [l[r], l[r + 1]] = [l[r + 1] as string, l[r] as string];
    return l;
  });
  const p = problemOf(text);
  assert.is(p.problem, 'reordered');
  assert.is(p.line, lineOf(16));
  assert.match(p.message, /checkpoint for seq 16 comes before record seq 16/);
});

reordered('a checkpoint moved below the record after it is named as out of order, not as an insertion', () => {
  const { text } = tamperedCopy((l) => {
    const cp = indexOfSeq(l, 16) + 1;
    [l[cp], l[cp + 1]] = [l[cp + 1] as string, l[cp] as string];
    return l;
  });
  const p = problemOf(text);
  assert.is(p.problem, 'reordered');
  assert.is(p.line, lineOf(17) - 1); // record 17, now above its checkpoint
  assert.is(p.seq, 17);
  assert.match(p.message, new RegExp(`belongs after line ${lineOf(17)}, which comes later`));
});

// ---------------------------------------------------------------------------
const checkpoints = suite('audit verify: checkpoints and damaged lines');

checkpoints('a tampered checkpoint signature is a bad checkpoint on its line', () => {
  const cp = indexOfSeq(LINES, 24) + 1;
  const { text } = tamperedCopy((l) => {
    const line = l[cp] as string;
    const at = line.indexOf('"sig":"') + 10;
    l[cp] = line.slice(0, at) + (line[at] === 'A' ? 'B' : 'A') + line.slice(at + 1);
    return l;
  });
  const p = problemOf(text);
  assert.is(p.problem, 'bad-checkpoint');
  assert.is(p.line, cp + 1);
  assert.is(p.message, `line ${cp + 1}: checkpoint signature does not verify: the checkpoint was changed or forged`);
});

checkpoints('an edited checkpoint field (its count) is a bad checkpoint', () => {
  const cp = indexOfSeq(LINES, 24) + 1;
  const { text } = tamperedCopy((l) => {
    l[cp] = (l[cp] as string).replace('"count":24', '"count":23');
    return l;
  });
  const p = problemOf(text);
  assert.is(p.problem, 'bad-checkpoint');
  assert.is(p.line, cp + 1);
});

checkpoints('a correctly signed checkpoint that miscounts, or names another key id, is a bad checkpoint (a writer fault)', () => {
  const cp = indexOfSeq(LINES, 24) + 1;
  const c = JSON.parse(LINES[cp] as string) as { checkpoint: number; time: string; hash: string; count: number; keyId: string };
  for (const [fields, words] of [
    [{ ...c, count: 23 }, /counts 23 records, the log has 24/],
    [{ ...c, keyId: '0000000000000000' }, /names key 0000000000000000/],
  ] as const) {
    const { text } = tamperedCopy((l) => {
      l[cp] = signedCheckpointLine(fields, KEYS.privateKey);
      return l;
    });
    const p = problemOf(text);
    assert.is(p.problem, 'bad-checkpoint');
    assert.is(p.line, cp + 1);
    assert.match(p.message, words);
  }
});

checkpoints('verifying with another public key names both key ids at the first checkpoint', () => {
  const p = verifyAuditLog(BASE_TEXT, OTHER_KEYS.publicKey);
  assert.is(p.ok, false);
  if (p.ok) return;
  assert.is(p.problem, 'bad-checkpoint');
  assert.is(p.line, lineOf(8) + 1);
  assert.match(p.message, /the wrong public key, or the checkpoint was changed/);
});

checkpoints('a last line cut half-way is named as an incomplete line, the lines before it intact', () => {
  const { text } = tamperedCopy(BASE_TEXT.slice(0, BASE_TEXT.length - 1 - Math.floor((LINES[LINES.length - 1] as string).length / 2)));
  const p = problemOf(text);
  assert.is(p.problem, 'malformed');
  assert.is(p.line, LINES.length);
  assert.match(p.message, /the last line is incomplete/);
});

checkpoints('a record line cut half-way at the end is named the same way', () => {
  const { text } = tamperedCopy((l) => {
    const upTo = l.slice(0, indexOfSeq(l, 50) + 1);
    const last = upTo.pop() as string;
    return `${upTo.map((x) => `${x}\n`).join('')}${last.slice(0, 60)}`;
  });
  const p = problemOf(text);
  assert.is(p.problem, 'malformed');
  assert.is(p.line, lineOf(50));
  assert.match(p.message, /incomplete/);
});

checkpoints('a blank line, a non-JSON line and CRLF line ends are malformed, on their line', () => {
  const blank = problemOf(tamperedCopy((l) => [...l.slice(0, 3), '', ...l.slice(3)]).text);
  assert.equal([blank.problem, blank.line], ['malformed', 4]);
  assert.match(blank.message, /empty/);
  const junk = problemOf(tamperedCopy((l) => [...l.slice(0, 3), 'hello', ...l.slice(3)]).text);
  assert.equal([junk.problem, junk.line], ['malformed', 4]);
  const crlf = problemOf(BASE_TEXT.replace(/\n/g, '\r\n'));
  assert.equal([crlf.problem, crlf.line], ['malformed', 1]);
  assert.match(crlf.message, /carriage return/);
});

checkpoints('a forged record with a recomputed hash but an extra member is malformed, not accepted', () => {
  const { text } = tamperedCopy((l) => {
    const i = indexOfSeq(l, 17);
    l[i] = rehash((l[i] as string).replace('"outcome":"ok"', '"outcome":"ok","key":"00112233"'));
    return l;
  });
  const p = problemOf(text);
  assert.is(p.problem, 'malformed');
  assert.is(p.line, lineOf(17));
  assert.match(p.message, /canonical form/);
});

intact.run();
changed.run();
removed.run();
inserted.run();
reordered.run();
checkpoints.run();
