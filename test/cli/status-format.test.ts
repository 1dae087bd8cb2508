// `persomux status`'s text: one row per line and server, states as words,
// the lamp as a symbol, and a station's control characters made harmless.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatStatus, PATTERN_SYMBOL } from '../../src/cli/status-format.js';
import type { StatusView } from '../../src/status/view.js';

const view: StatusView = {
  at: 90_000,
  wallTime: '2026-11-30T12:00:00.000Z',
  site: { router: 'box-1', state: 'running', pattern: 'on', version: '0.1.0', uptimeMs: 3_723_000, cardsPerHour: 1200, cardsTotal: 4321, requestsTotal: 25_926, requestsPerSecond: 7.2, queuedByOp: { certificate: 2 } },
  lines: [
    { name: 'm1-s1', path: '/dev/a', state: 'idle', pattern: 'on', station: 'press-1', queued: 0, inFlight: 0, requests: 1200, answers: { ok: 1199, timeout: 1 }, drops: {}, bytesIn: 1, bytesOut: 2, errorsLastMinute: 0, p50Ms: 104.4, p99Ms: 259.2, lastError: { at: 60_000, what: 'answered timeout (certificate)' } },
    { name: 'm1-s2', path: '/dev/b', state: 'device-missing', pattern: 'fast-blink', station: 'evil\u001b[2J', queued: 0, inFlight: 0, requests: 0, answers: {}, drops: { crc: 3 }, bytesIn: 0, bytesOut: 0, errorsLastMinute: 0 },
    { name: 'm1-s3', path: '/dev/c', state: 'waiting-for-server', pattern: 'locate', queued: 2, inFlight: 2, requests: 5, answers: {}, drops: {}, bytesIn: 0, bytesOut: 0, errorsLastMinute: 0 },
  ],
  servers: [{ name: 'ds1', address: '10.0.0.5:7101', sealed: true, state: 'draining', pattern: 'slow-blink', slots: 4, busy: 1, ops: ['echo'], requests: 3000, errors: 2, handshakes: 3, drops: {}, drainedBy: 'operator' }],
};

const text = formatStatus(view);
const row = (name: string): string[] => text.split('\n').find((l) => l.split(/\s+/)[1] === name)!.split(/\s+/);

test('the site line: state, uptime, cards and requests', () => {
  assert.match(text, /^● box-1 {2}running {2}up 01:02:03 {2}persomux 0\.1\.0/);
  assert.match(text, /cards 4,321 \(1,200\/hour\) {2}requests 25,926 \(7\.2\/s\) {2}queued certificate 2/);
});

test('a row per line and server: lamp symbol, state word, figures', () => {
  assert.equal(row('m1-s1').slice(0, 5), [PATTERN_SYMBOL.on, 'm1-s1', 'idle', 'press-1', '1,200']);
  assert.ok(text.includes('ok 1,199, timeout 1'));
  assert.ok(text.includes('104/259'));
  assert.ok(text.includes('answered timeout (certificate) (30 s ago)'));
  assert.equal(row('m1-s2').slice(0, 3), [PATTERN_SYMBOL['fast-blink'], 'm1-s2', 'device-missing']);
  assert.equal(row('m1-s3').slice(0, 4), [PATTERN_SYMBOL.locate, 'm1-s3', 'waiting-for-server', '(2']);
  assert.equal(row('ds1').slice(0, 5), [PATTERN_SYMBOL['slow-blink'], 'ds1', 'draining', '(operator)', '10.0.0.5:7101']);
  assert.match(text, /lamps: ○ off {2}● on/);
});

test("a station's name cannot drive the terminal", () => {
  assert.not.ok(text.includes('\u001b'));
  assert.ok(text.includes('evil\\x1b[2J'));
});

test.run();
