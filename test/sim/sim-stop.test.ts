// Issue 10 item 4, through the real command: `persomux sim` stopped by
// SIGTERM, and by a closed pipe (`sim | head -1`), leaves no socat child and
// no key file behind; SIGTERM gives a partial report; `--keep DIR` keeps the
// configuration, keys and audit trails, which the tools then read. Each run
// needs a few seconds (a site of ptys, servers and a router must come up
// before it can be stopped, and a closed pipe is noticed at the next
// progress line, every 5 s), so the two runs go side by side.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../../src/sim/pty-pair.js';
import { loadConfig } from '../../src/config/load.js';
import { loadAuditPublicKey } from '../../src/audit/audit-key.js';
import { verifyAuditLog } from '../../src/audit/verify.js';
import { waitFor } from '../support/wait.js';
import { BIN } from '../cli/cli-runner.js';

const scratch = scratchDir('sim-stop');
test.after(() => scratch.remove());

/** Processes whose command line names `dir`: the socat children of a run whose files live there. */
function processesUsing(dir: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) found.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const SMALL = ['--machines', '1', '--stations', '2', '--servers', '1', '--slots', '2', '--service-time', '2'];

async function sigtermWithKeep(): Promise<void> {
  const tmp = join(scratch.dir, 'tmp-term');
  mkdirSync(tmp);
  const keep = join(scratch.dir, 'kept');
  const child = spawn(BIN, ['sim', '--seconds', '120', ...SMALL, '--keep', keep, '--log-level', 'info'], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  // Running: the router's lines are open (its log says so) and socat children exist.
  await waitFor('the simulated site up', () => /line\.open/.test(err) && processesUsing(keep).length > 0, 60_000);
  const socats = processesUsing(keep);
  child.kill('SIGTERM');
  assert.is(await exited, 143, `${out}\n${err}`);
  assert.match(out, /Stopped early \(SIGTERM\): the report covers the [\d.]+ s that ran\./);
  assert.match(out, /Cards personalized/);
  assert.match(out, new RegExp(`Kept in ${keep}: configuration, keys and audit trails`));
  assert.not.match(out + err, /\n\s+at |Error:/);
  for (const pid of socats) assert.not.ok(existsSync(`/proc/${pid}`), `socat ${pid} is still running`);
  assert.equal(readdirSync(tmp).filter((n) => !n.startsWith('tsx-')), [], 'nothing left in the temporary folder (tsx keeps its compile cache there)');
  // What is kept: the configuration (valid, its key files beside it), the keys, the audit trail, which verifies; no pty links.
  const kept = readdirSync(keep).sort();
  for (const f of ['sim-box.json', 'master-keys.json', 'audit.key', 'audit.pub', 'ds1.audit.jsonl', 'ds1.router.key', 'ds1.other.key']) assert.ok(kept.includes(f), `${f} kept: ${kept.join(' ')}`);
  assert.not.ok(kept.some((f) => /\.(router|peer)$/.test(f)), kept.join(' '));
  assert.is(loadConfig(join(keep, 'sim-box.json')).router, 'sim-box');
  const audit = verifyAuditLog(readFileSync(join(keep, 'ds1.audit.jsonl'), 'utf8'), loadAuditPublicKey(join(keep, 'audit.pub')));
  assert.ok(audit.ok, JSON.stringify(audit));
}

async function closedPipe(): Promise<void> {
  const tmp = join(scratch.dir, 'tmp-pipe');
  mkdirSync(tmp);
  // As a person types it: the shell's pipe, head reading one line and leaving.
  const child = spawn('sh', ['-c', `'${BIN}' sim --seconds 120 ${SMALL.join(' ')} | head -1`], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  let socats: number[] = [];
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  await waitFor('socat children started', () => (socats = processesUsing(tmp)).length > 0 || child.exitCode !== null, 60_000);
  const status = await exited;
  assert.is(status, 0, err);
  assert.match(out, /^Starting a simulated site: 2 station lines/);
  assert.is(out.split('\n').filter(Boolean).length, 1);
  assert.is(err, '', 'no EPIPE, no stack trace');
  await waitFor('every socat child ended', () => socats.every((pid) => !existsSync(`/proc/${pid}`)) && processesUsing(tmp).length === 0, 5000);
  assert.equal(readdirSync(tmp).filter((n) => !n.startsWith('tsx-')), [], 'no scratch folder, no key file left');
}

test('SIGTERM (with --keep) and a closed pipe: a partial report when stdout exists, no child, no key file left', async () => {
  await Promise.all([sigtermWithKeep(), closedPipe()]);
});

test.run();
