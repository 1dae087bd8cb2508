// `persomux hsm init`: the data server's keys, generated inside a PKCS#11 token.
import { KeyUnavailableError } from '../dataserver/crypto/key-store.js';
import { HsmInitError, initHsmKeys } from '../dataserver/keystore/hsm-init.js';
import { readPin } from '../dataserver/keystore/pin.js';
import { Pkcs11ConfigError } from '../dataserver/keystore/pkcs11-module.js';
import { DEFAULT_KEY_LABELS } from '../dataserver/keystore/token-objects.js';
import { createInterface } from 'node:readline';
import { command, help, parseOptions, UsageError } from './args.js';

const HELP = `Usage: persomux hsm init --token LABEL --pin-file FILE [--module PATH] [--bits 128|256] [--replace [--yes]]

Generates the reference data server's keys inside a PKCS#11 token (an HSM,
or SoftHSM2): the AES master keys '${DEFAULT_KEY_LABELS.transport}', '${DEFAULT_KEY_LABELS.enc}' and
'${DEFAULT_KEY_LABELS.mac}' (CKM_AES_KEY_GEN) and the P-256 issuer key pair
'${DEFAULT_KEY_LABELS.issuer}' (CKM_EC_KEY_PAIR_GEN). The secret keys are sensitive and
not extractable: they never leave the token. Prints the issuer key's id.
  --token LABEL     the token's label
  --pin-file FILE   a file (mode 0600) holding the token's user PIN
  --module PATH     the PKCS#11 module (default: SoftHSM2's libsofthsm2.so)
  --bits N          the master keys' length, 128 or 256 (default 128)
  --replace         replace keys with these labels (default: refuse if any exists).
                    This destroys the master keys: every card personalized with them
                    can no longer be served. Asks to type the token label to confirm,
  --yes             or, for scripts, confirms without asking
`;

/** --replace destroys master keys: a person types the token's label; a script says --yes. */
async function confirmReplace(label: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new UsageError(`--replace destroys the master keys in token '${label}' and there is no terminal to confirm on: add --yes to confirm`);
  }
  process.stdout.write(`--replace destroys the master keys in token '${label}'; cards personalized with them can no longer be served.\nType the token label to confirm: `);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return answer.trim() === label;
  } finally {
    rl.close();
  }
}

function bits(value: string | undefined): 128 | 256 {
  if (value === undefined || value === '128') return 128;
  if (value === '256') return 256;
  throw new UsageError(`--bits must be 128 or 256, got '${value}'`);
}

export function runHsm(args: string[]): Promise<number> {
  return command(HELP, async () => {
    const [sub, ...rest] = args;
    if (sub === '--help' || sub === '-h' || sub === 'help') return help(HELP);
    if (sub !== 'init') throw new UsageError(sub === undefined ? 'a subcommand is required: init' : `unknown subcommand '${sub}' (expected init)`);
    const o = parseOptions(rest, {
      module: { type: 'string' },
      token: { type: 'string' },
      'pin-file': { type: 'string' },
      bits: { type: 'string' },
      replace: { type: 'boolean' },
      yes: { type: 'boolean' },
    });
    if (o.help) return help(HELP);
    if (!o.token || !o['pin-file']) throw new UsageError('--token LABEL and --pin-file FILE are both required');
    const keyLengthBits = bits(o.bits);
    if (o.yes && !o.replace) throw new UsageError('--yes confirms --replace; without --replace there is nothing to confirm');
    if (o.replace && !o.yes && !(await confirmReplace(o.token))) {
      process.stderr.write(`persomux hsm init: not confirmed; token '${o.token}' is unchanged\n`);
      return 1;
    }
    try {
      const pin = readPin({ file: o['pin-file'] });
      const r = await initHsmKeys({
        tokenLabel: o.token,
        pin,
        keyLengthBits,
        replace: o.replace === true,
        ...(o.module === undefined ? {} : { modulePath: o.module }),
      });
      const labels = [r.labels.transport, r.labels.enc, r.labels.mac].join(', ');
      process.stdout.write(`token '${r.tokenLabel}' (module ${r.modulePath}):\n`);
      if (r.replaced.length > 0) process.stdout.write(`  replaced ${r.replaced.join(', ')}\n`);
      process.stdout.write(`  AES-${keyLengthBits} master keys ${labels}\n`);
      process.stdout.write(`  P-256 issuer key ${r.labels.issuer}, keyId ${r.issuer?.keyId ?? '?'}\n`);
      return 0;
    } catch (e) {
      if (!(e instanceof HsmInitError || e instanceof Pkcs11ConfigError || e instanceof KeyUnavailableError)) throw e;
      process.stderr.write(`persomux hsm init: ${e.message}\n`);
      return 1;
    }
  });
}
