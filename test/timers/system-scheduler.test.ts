// The real clock's two kinds of timers, in a child process (only a real
// process shows whether a timer holds it open; about 1 s for tsx to start):
// systemScheduler's timers keep the process alive until they fire,
// backgroundScheduler's (the systemd watchdog's) never do.
import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const MODULE = new URL('../../src/timers/system-scheduler.ts', import.meta.url).href;

/** Runs `body` with both schedulers in scope; resolves with what it printed. */
function child(body: string): Promise<{ out: string; code: number | null }> {
  const script = `import { systemScheduler, backgroundScheduler } from ${JSON.stringify(MODULE)};\n${body}`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ out, code }));
  });
}

test('a system timer holds the process open until it fires; a background timer does not', async () => {
  // If the background timer held the process, it would print 'background' after 20 s and fail here.
  const r = await child(`
    backgroundScheduler.after(20_000, () => console.log('background'));
    systemScheduler.after(50, () => console.log('system'));
  `);
  assert.is(r.code, 0);
  assert.is(r.out, 'system\n');
});

test('cancel works on both; now() is monotonic whole milliseconds', async () => {
  const r = await child(`
    systemScheduler.after(10, () => console.log('cancelled system timer fired')).cancel();
    backgroundScheduler.after(10, () => console.log('cancelled background timer fired')).cancel();
    const a = systemScheduler.now();
    systemScheduler.after(30, () => {
      const b = backgroundScheduler.now();
      console.log(Number.isInteger(a) && Number.isInteger(b) && b >= a + 20 ? 'ok' : 'bad ' + a + ' ' + b);
    });
  `);
  assert.is(r.out, 'ok\n');
});

test('refresh arms a timer that fired again, with its delay and function; a refreshed timer can still be cancelled', async () => {
  const r = await child(`
    let n = 0;
    const start = systemScheduler.now();
    const t = systemScheduler.after(20, () => {
      n++;
      console.log('fired ' + n + (systemScheduler.now() - start >= 19 * n ? '' : ' early')); // whole ms, floored: 1 ms of slack
      if (n < 3) t.refresh();
    });
    const c = systemScheduler.after(10, () => console.log('cancelled timer fired'));
    c.refresh();
    c.cancel();
  `);
  assert.is(r.code, 0);
  assert.is(r.out, 'fired 1\nfired 2\nfired 3\n', 'three times, then the process ends: no timer left');
});

test.run();
