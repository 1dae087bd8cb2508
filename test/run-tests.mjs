// Runs every test/**/*.test.ts under uvu and ends with the one plain line CI
// reads: `N passed, N failed`. uvu's own summary (Total, Passed, Skipped) is
// counted, not trusted blindly: a run that dies before its summary, or that
// does not exit after it (a leaked socket or timer), counts as a failure.
import { spawn } from 'node:child_process';

const args = ['--import', 'tsx', 'node_modules/uvu/bin.js', 'test', process.argv[2] ?? '\\.test\\.ts$'];
const child = spawn(process.execPath, args, { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });

let out = '';
let finishedAt;
let hung = false;
const onData = (stream) => (chunk) => {
  stream.write(chunk);
  out += chunk.toString();
  if (finishedAt === undefined && /Duration:/.test(out)) {
    finishedAt = Date.now();
    setTimeout(() => {
      if (child.exitCode === null) {
        hung = true;
        process.stderr.write('\nThe test process did not exit 10 s after its summary: a test left a handle open.\n');
        child.kill('SIGKILL');
      }
    }, 10_000).unref();
  }
};
child.stdout.on('data', onData(process.stdout));
child.stderr.on('data', onData(process.stderr));

child.on('close', (code) => {
  // eslint-disable-next-line no-control-regex
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  let failed = Number.isNaN(total) ? 1 : total - passed;
  const ok = Number.isNaN(total) ? 0 : passed;
  if (hung && failed === 0) failed = 1;
  if (code !== 0 && !hung && failed === 0) failed = 1;
  process.stdout.write(`\n${ok} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  process.exit(failed > 0 ? 1 : 0);
});
