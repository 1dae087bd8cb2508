// Opening a logged-in session on a token by its label, shared by the key store
// and the init tool. Failures become TokenFailure with a reason that names the
// step and the CKR_ value, never the PIN.
import { createHash, randomBytes } from 'node:crypto';
import { ck, ckrCode, errorCode, findTokenSlot, isCkr, isPkcs11Failure, TokenNotFoundError, type PKCS11, type Pkcs11Module } from './pkcs11-module.js';

/** One step towards (or with) a token failed; `reason` is fit for a message. */
export class TokenFailure extends Error {
  constructor(
    readonly reason: string,
    readonly pinRejected = false,
  ) {
    super(reason);
    this.name = 'TokenFailure';
  }
}

/** CKR_ values that say the PIN itself is wrong or unusable: trying it again only brings a lockout nearer. */
const PIN_ERRORS = new Set<number>([ck.CKR_PIN_INCORRECT, ck.CKR_PIN_INVALID, ck.CKR_PIN_LEN_RANGE, ck.CKR_PIN_EXPIRED, ck.CKR_PIN_LOCKED, ck.CKR_USER_PIN_NOT_INITIALIZED]);

/** Runs one PKCS#11 step; a pkcs11js failure becomes a TokenFailure "`what` failed (CKR_...)". */
export function step<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isPkcs11Failure(e)) throw new TokenFailure(`${what} failed (${errorCode(e)})`);
    throw e;
  }
}

export interface UserSession {
  readonly slot: Buffer;
  readonly session: Buffer;
}

/**
 * Initializes the module if needed, finds the token, opens a session and logs
 * the user in. When the token is not found, or the module fails, the module is
 * initialized afresh once (SoftHSM2 only sees its token directory at
 * C_Initialize) and the search repeated. Call inside `mod.exclusive`.
 */
export function openUserSession(mod: Pkcs11Module, lib: PKCS11, tokenLabel: string, pin: string, readWrite: boolean): UserSession {
  let slot: Buffer;
  try {
    mod.ensureInitialized();
    slot = findTokenSlot(lib, tokenLabel);
  } catch (first) {
    if (!(first instanceof TokenNotFoundError) && !isPkcs11Failure(first)) throw first;
    try {
      mod.reinitialize();
      slot = findTokenSlot(lib, tokenLabel);
    } catch (e) {
      if (e instanceof TokenNotFoundError) throw new TokenFailure(`${e.message} in module ${mod.path}`);
      if (isPkcs11Failure(e)) throw new TokenFailure(`the module ${mod.path} cannot reach its tokens (${errorCode(e)})`);
      throw e;
    }
  }
  const flags = ck.CKF_SERIAL_SESSION | (readWrite ? ck.CKF_RW_SESSION : 0);
  const session = step('opening a session', () => lib.C_OpenSession(slot, flags));
  try {
    lib.C_Login(session, ck.CKU_USER, pin);
  } catch (e) {
    // Logged in already: PKCS#11 login is per application and token, shared by its sessions.
    if (!isCkr(e, ck.CKR_USER_ALREADY_LOGGED_IN)) {
      closeQuietly(lib, session);
      if (!isPkcs11Failure(e)) throw e;
      const code = ckrCode(e);
      const rejected = code !== undefined && PIN_ERRORS.has(code);
      throw new TokenFailure(rejected ? `the token rejected the user PIN (${errorCode(e)})` : `logging in failed (${errorCode(e)})`, rejected);
    }
  }
  return { slot, session };
}

export function closeQuietly(lib: PKCS11, session: Buffer): void {
  try {
    lib.C_CloseSession(session);
  } catch {
    // The session is gone already (or the module is): nothing left to close.
  }
}

/** A salted digest of a PIN, to recognise a PIN the token rejected without keeping it. */
export class PinMemo {
  readonly #salt = randomBytes(16);

  digest(pin: string): string {
    return createHash('sha256').update(this.#salt).update(pin, 'utf8').digest('hex');
  }
}
