// A SoftHSM2 of the tests' own: a temporary directory with a softhsm2.conf
// whose token directory is inside it, SOFTHSM2_CONF pointing at it, a PIN
// file (mode 0600), and fresh tokens made with softhsm2-util. One per test
// process (SoftHSM2 reads SOFTHSM2_CONF at C_Initialize, and the module is
// initialized once per process), made on first use and removed at exit.
// Importing this file does nothing.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveModulePath } from '../../../src/dataserver/keystore/pkcs11-module.js';

/** Test PINs: distinctive, so a test can check that no message shows them. */
export const USER_PIN = 'pm-user-7319';
export const SO_PIN = 'pm-so-4826';
export const WRONG_PIN = 'pm-wrong-5084';

export interface SoftHsmEnv {
  readonly dir: string;
  readonly tokenDir: string;
  readonly conf: string;
  readonly modulePath: string;
  /** A file (mode 0600) holding USER_PIN. */
  readonly pinFile: string;
  /** Initializes a new token (user PIN USER_PIN) and returns its label. */
  newToken(prefix?: string): string;
  /** Writes a PIN file (mode 0600) with `pin`; returns its path. */
  writePinFile(name: string, pin: string): string;
}

let env: SoftHsmEnv | undefined;
let tokens = 0;

export function softHsm(): SoftHsmEnv {
  if (env !== undefined) return env;
  const util = spawnSync('softhsm2-util', ['--version'], { encoding: 'utf8' });
  if (util.error !== undefined || util.status !== 0) {
    throw new Error("softhsm2-util is not installed: these tests need Debian's softhsm2 ('make sysdeps' installs it)");
  }
  const modulePath = resolveModulePath();
  const dir = mkdtempSync(join(tmpdir(), 'persomux-softhsm-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const tokenDir = join(dir, 'tokens');
  mkdirSync(tokenDir);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  const writePinFile = (name: string, pin: string): string => {
    const file = join(dir, name);
    writeFileSync(file, `${pin}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return file;
  };
  env = {
    dir,
    tokenDir,
    conf,
    modulePath,
    pinFile: writePinFile('user.pin', USER_PIN),
    writePinFile,
    newToken(prefix = 'persomux-test') {
      const label = `${prefix}-${++tokens}`;
      if (!existsSync(tokenDir)) throw new Error(`the token directory ${tokenDir} is missing`);
      const r = spawnSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', USER_PIN, '--so-pin', SO_PIN], {
        encoding: 'utf8',
        env: { ...process.env, SOFTHSM2_CONF: conf },
      });
      // Its output is not passed on: it is harmless, but the tests print nothing of a token.
      if (r.status !== 0) throw new Error(`softhsm2-util --init-token for '${label}' failed with status ${String(r.status)}`);
      return label;
    },
  };
  return env;
}
