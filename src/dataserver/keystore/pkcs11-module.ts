// One PKCS#11 module (a shared library such as SoftHSM2's libsofthsm2.so) as
// this process uses it, over pkcs11js.
//
// A module is initialized once per process (a second C_Initialize answers
// CKR_CRYPTOKI_ALREADY_INITIALIZED) and C_Finalize ends it for every user, so
// every user of one path shares one entry here: reference-counted, finalized
// when the last user releases it, and with one queue through which all its
// calls go one after the other (a session serves one operation at a time, and
// C_Finalize must never run beside an operation on a pool thread).
//
// SoftHSM2 reads its token directory at C_Initialize: a token created, or a
// token directory moved back, after that is only seen after C_Finalize and
// C_Initialize again (`reinitialize`), which ends the sessions of every user
// of the module in this process; they reopen theirs on their next call.
import { systemErrorMeaning } from '../../util/system-error.js';
import { existsSync, realpathSync } from 'node:fs';
import pkcs11js from 'pkcs11js';
import type { PKCS11 } from 'pkcs11js';

export { pkcs11js as ck };
export type { PKCS11 };

/** Where Debian (and a source build) put SoftHSM2's module, first match wins. */
export const SOFTHSM2_MODULE_PATHS: readonly string[] = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/arm-linux-gnueabihf/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
];

/** A PKCS#11 store or tool that is configured wrongly (no module, a bad PIN source...): retrying does not help. */
export class Pkcs11ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Pkcs11ConfigError';
  }
}

/** The module path to use: `given`, or the first SoftHSM2 module found in the usual places. */
export function resolveModulePath(given?: string): string {
  if (given !== undefined) {
    if (!existsSync(given)) throw new Pkcs11ConfigError(`the PKCS#11 module ${given} does not exist`);
    return given;
  }
  const found = SOFTHSM2_MODULE_PATHS.find((p) => existsSync(p));
  if (found === undefined) {
    throw new Pkcs11ConfigError(`no PKCS#11 module given and libsofthsm2.so is in none of ${SOFTHSM2_MODULE_PATHS.join(', ')}; install Debian's softhsm2 or give the module path`);
  }
  return found;
}

/**
 * The CKR_ value of a pkcs11js error. Most methods throw Pkcs11Error; the
 * ones pkcs11js 2.1.7 overrides in JavaScript (C_CreateObject,
 * C_SetAttributeValue, C_CopyObject) throw a plain Error whose message starts
 * `CKR_NAME:code`, so both are read.
 */
function ckr(e: unknown): { readonly name: string; readonly code: number } | undefined {
  if (e instanceof pkcs11js.Pkcs11Error) return { name: e.message, code: e.code };
  if (!(e instanceof Error)) return undefined;
  const m = /^(CKR_[A-Z0-9_]+):(\d+)/.exec(e.message);
  return m === null ? undefined : { name: m[1] ?? 'CKR_?', code: Number(m[2]) };
}

/** The CKR_ name of a pkcs11js error (or the first line of a native error), for messages: never carries a PIN or key. */
export function errorCode(e: unknown): string {
  const r = ckr(e);
  if (r !== undefined) return r.name;
  if (e instanceof Error) return e.message.split('\n')[0] ?? 'error';
  return String(e);
}

/** Whether `e` is the PKCS#11 return value `code`. */
export function isCkr(e: unknown, code: number): boolean {
  return ckr(e)?.code === code;
}

/** The PKCS#11 return value of `e`, if it is one. */
export function ckrCode(e: unknown): number | undefined {
  return ckr(e)?.code;
}

/** An error raised by pkcs11js (a CKR_ value or a native failure), as opposed to a bug in this code. */
export function isPkcs11Failure(e: unknown): boolean {
  return e instanceof pkcs11js.NativeError || ckr(e) !== undefined;
}

interface Entry {
  readonly path: string;
  readonly lib: PKCS11;
  refs: number;
  initialized: boolean;
  /** Counts C_Finalize calls: a session opened in an earlier generation is gone (and its handle may be reused). */
  generation: number;
  /** The tail of the queue of calls into the module. */
  tail: Promise<void>;
}

const entries = new Map<string, Entry>();

/** One user's reference to a shared module; `release` it once. */
export class Pkcs11Module {
  #entry: Entry | undefined;
  /** The path as this user gave it (messages show it). */
  readonly path: string;

  private constructor(entry: Entry, path: string) {
    this.#entry = entry;
    this.path = path;
  }

  /**
   * Loads the module (once per process: paths are compared after resolving
   * symbolic links, as the dynamic loader does) and takes a reference. Throws
   * Pkcs11ConfigError when it cannot be loaded.
   */
  static acquire(path: string): Pkcs11Module {
    let real: string;
    try {
      real = realpathSync(path);
    } catch (e) {
      throw new Pkcs11ConfigError(`the PKCS#11 module ${path} cannot be found (${systemErrorMeaning(e) ?? 'error'})`);
    }
    let entry = entries.get(real);
    if (entry === undefined) {
      const lib = new pkcs11js.PKCS11();
      try {
        lib.load(real);
      } catch (e) {
        throw new Pkcs11ConfigError(`the PKCS#11 module ${path} cannot be loaded (${errorCode(e)})`);
      }
      entry = { path: real, lib, refs: 0, initialized: false, generation: 0, tail: Promise.resolve() };
      entries.set(real, entry);
    }
    entry.refs++;
    return new Pkcs11Module(entry, path);
  }

  /** Changes whenever the module is finalized: sessions from another generation no longer exist. */
  get generation(): number {
    return this.#use().generation;
  }

  #use(): Entry {
    if (this.#entry === undefined) throw new Error('this reference to the PKCS#11 module was released');
    return this.#entry;
  }

  /** Runs `fn` when every earlier call queued on this module has finished. */
  exclusive<T>(fn: (lib: PKCS11) => T | Promise<T>): Promise<T> {
    const entry = this.#use();
    const run = entry.tail.then(() => fn(entry.lib));
    entry.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** C_Initialize unless done (inside `exclusive`). Throws the pkcs11js error when the module cannot start (e.g. no token directory). */
  ensureInitialized(): void {
    const entry = this.#use();
    if (entry.initialized) return;
    try {
      entry.lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    } catch (e) {
      if (!isCkr(e, pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED)) throw e;
    }
    entry.initialized = true;
  }

  /** C_Finalize then C_Initialize (inside `exclusive`): the module looks at its tokens again. Ends every session on it. */
  reinitialize(): void {
    const entry = this.#use();
    finalize(entry);
    this.ensureInitialized();
  }

  /** Drops this reference; the last one finalizes the module. Idempotent. */
  release(): Promise<void> {
    const entry = this.#entry;
    if (entry === undefined) return Promise.resolve();
    const done = this.exclusive(() => {
      entry.refs--;
      if (entry.refs === 0) finalize(entry);
    });
    this.#entry = undefined;
    return done;
  }
}

function finalize(entry: Entry): void {
  if (!entry.initialized) return;
  entry.initialized = false;
  entry.generation++;
  try {
    entry.lib.C_Finalize();
  } catch {
    // CKR_CRYPTOKI_NOT_INITIALIZED or a module in trouble: either way it is no longer ours to use.
  }
}

/** The slot holding the token labelled `label` (labels are blank-padded to 32 characters). */
export function findTokenSlot(lib: PKCS11, label: string): Buffer {
  const slots = lib.C_GetSlotList(true).filter((slot) => lib.C_GetTokenInfo(slot).label.trimEnd() === label);
  const [slot, ...more] = slots;
  if (slot === undefined) throw new TokenNotFoundError(`no token labelled '${label}' is present`);
  if (more.length > 0) throw new TokenNotFoundError(`${slots.length} tokens are labelled '${label}'`);
  return slot;
}

export class TokenNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenNotFoundError';
  }
}

/** A PKCS#11 token label has at most 32 characters (CK_TOKEN_INFO). */
export function checkTokenLabel(label: string): void {
  if (typeof label !== 'string' || label.length === 0 || Buffer.byteLength(label, 'utf8') > 32 || label !== label.trim()) {
    throw new Pkcs11ConfigError(`a token label has 1 to 32 bytes without leading or trailing blanks, got '${String(label)}'`);
  }
}
