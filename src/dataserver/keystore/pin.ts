// Where the token's user PIN comes from: a file (mode 0600, as the key files
// of PROTOCOL.md 3) or an environment variable, named in the options. The PIN
// is read when a session is opened and handed to C_Login; no message, log or
// toString ever shows it, only the file or variable name.
import { systemErrorMeaning } from '../../util/system-error.js';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
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
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new Pkcs11ConfigError(`the PIN file ${file} cannot be read (${systemErrorMeaning(e) ?? 'error'})`);
  }
  try {
    // The mode is checked on the open file, not on the path again.
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Pkcs11ConfigError(`the PIN file ${file} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new Pkcs11ConfigError(`the PIN file ${file} is readable or writable by group or others (mode ${mode}); run 'chmod 600 ${file}'`);
    }
    if (st.size > MAX_PIN_FILE_BYTES) throw new Pkcs11ConfigError(`the PIN file ${file} is larger than ${MAX_PIN_FILE_BYTES} bytes: not a PIN file`);
    return readFileSync(fd, 'utf8');
  } catch (e) {
    if (e instanceof Pkcs11ConfigError) throw e;
    throw new Pkcs11ConfigError(`the PIN file ${file} cannot be read (${systemErrorMeaning(e) ?? 'error'})`);
  } finally {
    closeSync(fd);
  }
}
