// A real OpenSSH server on a loopback port for the deploy test: a throwaway
// host key and user key, its own sshd_config (-f), run in the foreground
// (-D -e) as the current user. The session's PATH and PERSOMUX_BOX come from
// SetEnv, as a box's own environment would.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait.js';

export interface Sshd {
  /** ssh options that reach it as host `box` (`-F` a client config). */
  readonly sshOpts: string;
  readonly host: 'box';
  stop(): Promise<void>;
}

function keygen(file: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'persomux-deploy-test', '-f', file]);
  if (r.status !== 0) throw new Error(`ssh-keygen ${file}: ${r.stderr.toString()}`);
}

/** sshd -D -e says when it listens; that state is waited for (or its exit). */
async function accepting(port: number, child: ChildProcess, log: () => string): Promise<void> {
  try {
    await waitFor(`sshd listening on ${port}`, () => {
      if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${log()}`);
      return new RegExp(`Server listening on 127\\.0\\.0\\.1 port ${port}`).test(log());
    }, 10_000);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${log()}`);
  }
}

export async function startSshd(dir: string, env: { PATH: string; PERSOMUX_BOX: string }): Promise<Sshd> {
  mkdirSync(dir, { recursive: true });
  // sshd refuses to start without its privilege separation directory (made by the service on a real host).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'user_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')));
  writeFileSync(join(dir, 'known_hosts'), `box ${readFileSync(join(dir, 'host_key.pub'), 'utf8')}`);
  const port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PidFile none',
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `SetEnv PATH=${env.PATH} PERSOMUX_BOX=${env.PERSOMUX_BOX}`,
      'LogLevel INFO', // "Server listening on ..." tells the test it is up
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'ssh_config'),
    [
      'Host box',
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      `  User ${userInfo().username}`,
      `  IdentityFile ${join(dir, 'user_key')}`,
      '  IdentitiesOnly yes',
      '  HostKeyAlias box',
      `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  await accepting(port, child, () => log);
  return {
    sshOpts: `-F ${join(dir, 'ssh_config')}`,
    host: 'box',
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
