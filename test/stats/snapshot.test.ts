// The statistics snapshot: written atomically, read back at start (totals
// added to the view, service times going on), refused with its reason when
// newer or damaged and then set aside, never overwritten or misread.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Note } from '../../src/dispatch/types.js';
import { createLogger } from '../../src/log/logger.js';
import type { RouterEvent } from '../../src/router/events.js';
import { scratchDir } from '../../src/sim/pty-pair.js';
import { SERVICE_BUCKETS_MS } from '../../src/stats/service-times.js';
import { SNAPSHOT_FILE } from '../../src/stats/snapshot-format.js';
import { Statistics } from '../../src/stats/statistics.js';
import type { StatusView } from '../../src/status/view.js';
import { waitFor } from '../support/wait.js';

function view(requests: number, cards: number): StatusView {
  return {
    at: 0,
    wallTime: '2026-11-30T00:00:00.000Z',
    site: { router: 'box', state: 'running', pattern: 'on', version: '0', uptimeMs: 1, cardsPerHour: 120, cardsTotal: cards, requestsTotal: requests, requestsPerSecond: 0, queuedByOp: {} },
    lines: [{ name: 'l1', path: '/dev/x', state: 'idle', pattern: 'on', queued: 0, inFlight: 0, requests, answers: { ok: requests - 1, timeout: 1 }, drops: { crc: 2 }, bytesIn: 100, bytesOut: 200, errorsLastMinute: 0 }],
    servers: [{ name: 'ds1', address: 'a', sealed: true, state: 'ready', pattern: 'on', slots: 1, busy: 0, ops: [], requests, errors: 1, handshakes: 1, drops: {} }],
  };
}

/** A router seam that only delivers the notes a test gives it. */
function noteSource(): { onEvent(l: (e: RouterEvent, now: number) => void): () => void; note(n: Note, now: number): void } {
  const listeners: ((e: RouterEvent, now: number) => void)[] = [];
  return { onEvent: (l) => (listeners.push(l), () => {}), note: (n, now) => listeners.forEach((l) => l({ kind: 'note', note: n }, now)) };
}

const logged: string[] = [];
const log = createLogger({ write: (l) => logged.push(l) });

test('written atomically (no temporary left, owner-only), read back: totals added, service times go on', () => {
  const scratch = scratchDir('stats');
  try {
    const first = new Statistics({ stateDir: join(scratch.dir, 'state'), router: 'box', log });
    assert.is(first.load(), undefined, 'no snapshot yet');
    const src = noteSource();
    first.attach(src);
    src.note({ event: 'dispatched', line: 'l1', id: 1, op: 'echo', server: 'ds1', waitMs: 3 }, 1000);
    src.note({ event: 'answered', line: 'l1', id: 1, op: 'echo', outcome: 'ok', totalMs: 40 }, 1037);
    src.note({ event: 'dispatched', line: 'l1', id: 2, op: 'echo', server: 'ds1', waitMs: 0 }, 2000);
    src.note({ event: 'answered', line: 'l1', id: 2, op: 'echo', outcome: 'timeout', totalMs: 3000 }, 5000);
    assert.ok(first.write(view(10, 4)));
    assert.equal(readdirSync(join(scratch.dir, 'state')), [SNAPSHOT_FILE]);
    assert.is(statSync(first.file).mode & 0o777, 0o600);
    const written = JSON.parse(readFileSync(first.file, 'utf8'));
    assert.is(written.version, 1);
    assert.equal(written.serviceTimes.bucketsMs, [...SERVICE_BUCKETS_MS]);
    assert.equal(written.serviceTimes.byOp.echo.count, 1, 'a timeout is not a server\'s service');
    assert.is(written.serviceTimes.byOp.echo.sumMs, 37);
    assert.is(written.serviceTimes.byOp.echo.counts[SERVICE_BUCKETS_MS.indexOf(50)], 1);

    const second = new Statistics({ stateDir: join(scratch.dir, 'state'), router: 'box', log });
    assert.ok(second.load());
    const shown = second.decorate(view(3, 1));
    assert.is(shown.site.requestsTotal, 13);
    assert.is(shown.site.cardsTotal, 5);
    assert.equal(shown.lines[0]!.answers, { ok: 11, timeout: 2 });
    assert.equal(shown.lines[0]!.drops, { crc: 4 });
    assert.is(shown.servers[0]!.errors, 2);
    const src2 = noteSource();
    second.attach(src2);
    src2.note({ event: 'dispatched', line: 'l1', id: 9, op: 'echo', server: 'ds1', waitMs: 0 }, 0);
    src2.note({ event: 'answered', line: 'l1', id: 9, op: 'echo', outcome: 'ok', totalMs: 3 }, 3);
    assert.is(second.snapshot(shown).serviceTimes.byOp.echo!.count, 2);
    assert.is(second.snapshot(shown).totals.requests, 13);
  } finally {
    scratch.remove();
  }
});

test('a snapshot from a newer release is refused by name and set aside; totals start at 0 and it is not overwritten', () => {
  const scratch = scratchDir('stats');
  try {
    const file = join(scratch.dir, SNAPSHOT_FILE);
    const newer = JSON.stringify({ format: 'persomux-statistics', version: 2, totals: { cards: 'a lot' } });
    writeFileSync(file, newer);
    const stats = new Statistics({ stateDir: scratch.dir, router: 'box', log });
    assert.is(stats.load(), undefined);
    const line = logged.find((l) => l.includes('statistics.refused'))!;
    assert.match(line, /newer persomux \(format version 2; this one reads version 1\)/);
    assert.match(line, /totals="start at 0"/);
    assert.is(readFileSync(`${file}.refused`, 'utf8'), newer, 'kept for the newer release');
    assert.is(stats.decorate(view(1, 0)).site.requestsTotal, 1);
    stats.write(view(1, 0));
    assert.is(readFileSync(`${file}.refused`, 'utf8'), newer);
  } finally {
    scratch.remove();
  }
});

test('a damaged snapshot is refused with the field at fault', () => {
  const scratch = scratchDir('stats');
  try {
    const file = join(scratch.dir, SNAPSHOT_FILE);
    const good = new Statistics({ stateDir: scratch.dir, router: 'box', log });
    good.write(view(5, 1));
    const broken = JSON.parse(readFileSync(file, 'utf8'));
    broken.totals.lines.l1.requests = -3;
    writeFileSync(file, JSON.stringify(broken));
    logged.length = 0;
    assert.is(new Statistics({ stateDir: scratch.dir, router: 'box', log }).load(), undefined);
    assert.match(logged.join('\n'), /totals\.lines\.l1\.requests: must be a whole number >= 0/);
    writeFileSync(file, '{"format": "persomux-statistics", "vers');
    logged.length = 0;
    new Statistics({ stateDir: scratch.dir, router: 'box', log }).load();
    assert.match(logged.join('\n'), /is not JSON/);
  } finally {
    scratch.remove();
  }
});

test('written on its node-cron schedule (about 1 s: the finest schedule is a second)', async () => {
  const scratch = scratchDir('stats');
  const stats = new Statistics({ stateDir: scratch.dir, router: 'box', log });
  try {
    stats.schedule('* * * * * *', () => view(7, 2));
    const file = join(scratch.dir, SNAPSHOT_FILE);
    await waitFor('a scheduled snapshot', () => existsSync(file), 3000);
    assert.is(JSON.parse(readFileSync(file, 'utf8')).totals.requests, 7);
  } finally {
    stats.close(undefined);
    scratch.remove();
  }
});

test('a state directory it cannot write is logged, not thrown', () => {
  const scratch = scratchDir('stats');
  try {
    const notADir = join(scratch.dir, 'plain-file');
    writeFileSync(notADir, '');
    logged.length = 0;
    const stats = new Statistics({ stateDir: join(notADir, 'state'), router: 'box', log });
    assert.is(stats.write(view(1, 0)), false);
    assert.match(logged.join('\n'), /statistics\.cannot-write file=\S+plain-file\/state\/statistics\.json error=ENOTDIR/);
  } finally {
    scratch.remove();
  }
});

test.run();
