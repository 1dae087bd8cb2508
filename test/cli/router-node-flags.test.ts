// bin/persomux gives the router process (and only it) the Node flags of
// bin/router-node-flags, which the bench reads too: run with a `node` on PATH
// that prints the arguments it was given.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { routerNodeFlags } from '../bench/routing/bench.js';

function argsOf(...args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'persomux-flags-'));
  try {
    writeFileSync(join(dir, 'node'), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
    chmodSync(join(dir, 'node'), 0o755);
    const out = execFileSync('bin/persomux', args, { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
    return out.trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the router process gets the flags of bin/router-node-flags, before the script', () => {
  const flags = routerNodeFlags();
  assert.ok(flags.length > 0 && flags.every((f) => f.startsWith('--')), flags.join(' '));
  const args = argsOf('run', '--config', 'x.json');
  assert.equal(args.slice(0, flags.length), flags);
  assert.equal(args.slice(-3), ['run', '--config', 'x.json']);
});

test('other commands run without them', () => {
  const args = argsOf('status', '--watch');
  for (const f of routerNodeFlags()) assert.not.ok(args.includes(f), f);
  assert.equal(args.slice(-2), ['status', '--watch']);
});

test.run();
