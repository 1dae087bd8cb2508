// The deadlines of requests in flight (src/dispatch/deadline-heap.ts), with
// plain values: earliest first, ties in insertion order, dead items skipped
// wherever they sit, and answered items not held for long.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DeadlineHeap } from '../../src/dispatch/deadline-heap.js';

const heap = suite('deadline heap');

function withLive(): { live: Set<string>; h: DeadlineHeap<string> } {
  const live = new Set<string>();
  return { live, h: new DeadlineHeap((item) => live.has(item)) };
}

function add(x: { live: Set<string>; h: DeadlineHeap<string> }, item: string, at: number): void {
  x.live.add(item);
  x.h.push(item, at);
}

heap('empty: no next deadline, nothing due', () => {
  const { h } = withLive();
  assert.is(h.next(), undefined);
  assert.equal([...h.due(1e9)], []);
});

heap('the earliest deadline first, whatever the order of insertion; ties keep insertion order', () => {
  const x = withLive();
  const deadlines = [70, 10, 50, 10, 90, 30, 50, 20, 80, 60];
  deadlines.forEach((at, i) => add(x, `r${i}`, at));
  assert.is(x.h.next(), 10);
  assert.equal([...x.h.due(50)], ['r1', 'r3', 'r7', 'r5', 'r2', 'r6']);
  assert.is(x.h.next(), 60);
  assert.equal([...x.h.due(1000)], ['r9', 'r0', 'r8', 'r4']);
  assert.is(x.h.next(), undefined);
});

heap('an item no longer live is neither the next deadline nor due, at the top or deep inside', () => {
  const x = withLive();
  add(x, 'a', 10);
  add(x, 'b', 20);
  add(x, 'c', 30);
  add(x, 'd', 40);
  x.live.delete('a');
  x.live.delete('c');
  assert.is(x.h.next(), 20);
  assert.equal([...x.h.due(100)], ['b', 'd']);
});

heap('an item that dies while earlier ones are handled is not handed over', () => {
  const x = withLive();
  add(x, 'a', 10);
  add(x, 'b', 20);
  const handed: string[] = [];
  for (const item of x.h.due(100)) {
    handed.push(item);
    x.live.delete('b'); // handling `a` settles `b` too
  }
  assert.equal(handed, ['a']);
});

heap('nothing due before its deadline; due exactly at it', () => {
  const x = withLive();
  add(x, 'a', 600);
  assert.equal([...x.h.due(599)], []);
  assert.equal([...x.h.due(600)], ['a']);
  assert.equal([...x.h.due(601)], []);
});

heap('answered items are dropped as traffic goes on: the heap stays near twice what is live', () => {
  const x = withLive();
  // 10,000 requests, each answered long before its deadline, 8 in flight at any time.
  for (let i = 0; i < 10_000; i++) {
    add(x, `r${i}`, 1_000_000 + i);
    if (i >= 8) x.live.delete(`r${i - 8}`);
    assert.ok(x.h.size <= 128, `holds ${x.h.size} entries after ${i + 1} requests`);
  }
  assert.is(x.h.next(), 1_000_000 + 10_000 - 8);
  assert.equal([...x.h.due(2_000_000)].length, 8);
});

heap('against a plain scan: the same next deadline and the same due set, at random', () => {
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const x = withLive();
  const deadlineOf = new Map<string, number>();
  let now = 0;
  for (let i = 0; i < 5_000; i++) {
    const step = random(4);
    if (step <= 1) {
      const at = now + random(500);
      deadlineOf.set(`r${i}`, at);
      add(x, `r${i}`, at);
    } else if (step === 2 && x.live.size > 0) {
      const victim = [...x.live][random(x.live.size)]!;
      x.live.delete(victim);
    } else {
      now += random(50);
      const expected = [...x.live].filter((r) => deadlineOf.get(r)! <= now).sort((a, b) => deadlineOf.get(a)! - deadlineOf.get(b)! || Number(a.slice(1)) - Number(b.slice(1)));
      const got = [...x.h.due(now)];
      assert.equal(got, expected);
      for (const r of got) x.live.delete(r);
    }
    const scan = Math.min(...[...x.live].map((r) => deadlineOf.get(r)!));
    assert.is(x.h.next(), x.live.size === 0 ? undefined : scan);
  }
});

heap.run();
