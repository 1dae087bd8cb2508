// Where the token's user PIN comes from: a file (under the secret-file rule of
// keys/secret-file.ts, as every secret file) or an environment variable, named in the options. The PIN
// is read when a session is opened and handed to C_Login; no message, log or
// toString ever shows it, only the file or variable name.
import { readSecretFile, SecretFileError } from '../../keys/secret-file.js';
import { Pkcs11ConfigError } from './pkcs11-module.js';

export type PinSource = { readonly file: string } | { readonly env: string };

/** PKCS#11 PINs are short; a file much larger than this is not a PIN file. */
const MAX_PIN_FILE_BYTES = 1024;

/** Names the source for messages: `PIN file F` or `PIN variable V`. */
export function describePinSource(source: PinSource): string {
  return 'file' in source ? `PIN file ${source.file}` : `PIN variable ${source.env}`;
}

export function checkPinSource(source: PinSource): void {
  const ok = typeof source === 'object' && source !== null && ('file' in source ? typeof source.file === 'string' && source.file !== '' : 'env' in source && typeof source.env === 'string' && source.env !== '');
  if (!ok) throw new Pkcs11ConfigError('the user PIN must come from { file } or { env }');
}

/** Reads the PIN; throws Pkcs11ConfigError naming the file or variable (never quoting its content). One trailing newline is dropped. */
export function readPin(source: PinSource): string {
  checkPinSource(source);
  let text: string;
  if ('file' in source) {
    text = readPinFile(source.file);
  } else {
    const v = process.env[source.env];
    if (v === undefined) throw new Pkcs11ConfigError(`the ${describePinSource(source)} is not set`);
    text = v;
  }
  const pin = text.replace(/\r?\n$/, '');
  if (pin.length === 0) throw new Pkcs11ConfigError(`the ${describePinSource(source)} is empty`);
  if (/[\r\n]/.test(pin)) throw new Pkcs11ConfigError(`the ${describePinSource(source)} holds more than one line`);
  return pin;
}

function readPinFile(file: string): string {
  try {
    return readSecretFile(file, { maxBytes: MAX_PIN_FILE_BYTES });
  } catch (e) {
    if (e instanceof SecretFileError) throw new Pkcs11ConfigError(`the PIN file ${file} ${e.reason}`);
    throw e;
  }
}
