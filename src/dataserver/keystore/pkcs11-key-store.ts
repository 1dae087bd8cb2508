// A KeyStore (crypto/key-store.ts) whose keys stay inside a PKCS#11 token:
// the AES master keys sign with CKM_AES_CMAC, the P-256 issuer key with
// CKM_ECDSA over a SHA-256 digest computed here; no key byte ever reaches
// this process. Keys are found by CKA_LABEL (token-objects.ts).
//
// The token may go away (an HSM unplugged, a network HSM down, the SoftHSM2
// token directory moved). Every failure to reach it, or of an operation on
// it, throws KeyUnavailableError naming the token and the CKR_ value, drops
// the session, and the next call (or `available()`) opens a new one: the
// store recovers by itself once the token is back. Reconnection attempts
// that fail are spaced by `retryIntervalMs`; a PIN the token rejected is not
// tried again until the PIN source holds another one (tokens lock after a few
// wrong PINs).
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { KeyUnavailableError, type IssuerPublicKey, type KeyStore, type MasterKeyBits, type MasterKeyName } from '../crypto/key-store.js';
import { describePinSource, readPin, checkPinSource, type PinSource } from './pin.js';
import { checkTokenLabel, ck, errorCode, isPkcs11Failure, Pkcs11ConfigError, Pkcs11Module, resolveModulePath, type PKCS11 } from './pkcs11-module.js';
import { loadTokenKeys, type TokenKeys } from './token-keys.js';
import { keyLabels, MASTER_KEY_NAMES, type KeyLabels } from './token-objects.js';
import { closeQuietly, openUserSession, PinMemo, TokenFailure } from './token-session.js';

export interface Pkcs11KeyStoreOptions {
  /** The PKCS#11 module; default: SoftHSM2's libsofthsm2.so in the usual Debian places. */
  readonly modulePath?: string;
  /** The token's label (CK_TOKEN_INFO), at most 32 bytes. */
  readonly tokenLabel: string;
  /** Where the user PIN is read from each time a session is opened. */
  readonly pin: PinSource;
  /** The keys' labels; default DEFAULT_KEY_LABELS (persomux-transport, -enc, -mac, -issuer). */
  readonly labels?: Partial<KeyLabels>;
  /**
   * The master keys' length, if known: `keyLength` answers with it before the
   * token was first reached, and a token whose keys differ is refused.
   */
  readonly keyBits?: MasterKeyBits;
  /** When true, `open` returns a store even if the token cannot be reached now (it is `available()` once it can). Default false: `open` throws KeyUnavailableError. */
  readonly waitForToken?: boolean;
  /** The least time between two failed attempts to reach the token, in ms (default 1000); calls in between fail at once. */
  readonly retryIntervalMs?: number;
}

interface Connection {
  /** The module generation the session was opened in (Pkcs11Module.generation). */
  readonly generation: number;
  readonly slot: Buffer;
  readonly session: Buffer;
  readonly keys: TokenKeys;
}

const CMAC_BYTES = 16;
const ECDSA_P256_BYTES = 64;

export class Pkcs11KeyStore implements KeyStore {
  readonly modulePath: string;
  readonly tokenLabel: string;
  readonly #pin: PinSource;
  readonly #labels: KeyLabels;
  readonly #keyBits: MasterKeyBits | undefined;
  readonly #retryMs: number;
  readonly #pinMemo = new PinMemo();
  #module: Pkcs11Module | undefined;
  #conn: Connection | undefined;
  /** The key lengths the token had when last reached. */
  #bits: Readonly<Record<MasterKeyName, MasterKeyBits>> | undefined;
  #lastError: string | undefined;
  #lastFailureAt: number | undefined;
  #rejectedPin: string | undefined;

  private constructor(module: Pkcs11Module, options: Pkcs11KeyStoreOptions) {
    this.#module = module;
    this.modulePath = module.path;
    this.tokenLabel = options.tokenLabel;
    this.#pin = options.pin;
    this.#labels = keyLabels(options.labels);
    this.#keyBits = options.keyBits;
    this.#retryMs = options.retryIntervalMs ?? 1000;
  }

  /**
   * Loads the module and opens a session on the token. Throws
   * Pkcs11ConfigError for what no retry fixes (no module, a bad PIN source,
   * bad options) and, unless `waitForToken`, KeyUnavailableError when the
   * token cannot be reached or lacks a key.
   */
  static async open(options: Pkcs11KeyStoreOptions): Promise<Pkcs11KeyStore> {
    checkTokenLabel(options.tokenLabel);
    checkPinSource(options.pin);
    if (options.keyBits !== undefined && options.keyBits !== 128 && options.keyBits !== 256) throw new Pkcs11ConfigError('keyBits must be 128 or 256');
    const retry = options.retryIntervalMs;
    if (retry !== undefined && (!Number.isFinite(retry) || retry < 0)) throw new Pkcs11ConfigError('retryIntervalMs must be a number of ms, at least 0');
    try {
      keyLabels(options.labels);
    } catch (e) {
      throw new Pkcs11ConfigError((e as Error).message);
    }
    readPin(options.pin); // a missing or unsafe PIN file is a configuration error, reported now
    const module = Pkcs11Module.acquire(resolveModulePath(options.modulePath));
    const store = new Pkcs11KeyStore(module, options);
    const ok = await store.available();
    if (!ok && options.waitForToken !== true) {
      const reason = store.lastError;
      await store.close();
      throw new KeyUnavailableError(reason ?? `PKCS#11 token '${options.tokenLabel}' cannot be reached`);
    }
    return store;
  }

  /** Why the token could not be used the last time it failed, if it did (for logs; holds no PIN or key). */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  #unavailable(reason: string): KeyUnavailableError {
    return new KeyUnavailableError(`PKCS#11 token '${this.tokenLabel}': ${reason}`);
  }

  /** Opens a session, logs in and finds the keys (inside `exclusive`); throws KeyUnavailableError. */
  #connect(module: Pkcs11Module, lib: PKCS11): Connection {
    if (this.#lastFailureAt !== undefined && Date.now() - this.#lastFailureAt < this.#retryMs) {
      throw new KeyUnavailableError(`${this.#lastError ?? this.#unavailable('unavailable').message}; next attempt in at most ${this.#retryMs} ms`);
    }
    let digest: string | undefined;
    try {
      let pin: string;
      try {
        pin = readPin(this.#pin);
      } catch (e) {
        if (e instanceof Pkcs11ConfigError) throw new TokenFailure(e.message);
        throw e;
      }
      digest = this.#pinMemo.digest(pin);
      if (digest === this.#rejectedPin) {
        throw new TokenFailure(`the token rejected the user PIN from the ${describePinSource(this.#pin)}; it is not tried again until that PIN changes`, true);
      }
      const { slot, session } = openUserSession(module, lib, this.tokenLabel, pin, false);
      let keys: TokenKeys;
      try {
        keys = loadTokenKeys(lib, session, this.#labels);
        if (this.#keyBits !== undefined) {
          for (const name of MASTER_KEY_NAMES) {
            if (keys.bits[name] !== this.#keyBits) throw new TokenFailure(`the key '${this.#labels[name]}' has ${keys.bits[name]} bits, ${this.#keyBits} were configured`);
          }
        }
      } catch (e) {
        closeQuietly(lib, session);
        throw e;
      }
      this.#rejectedPin = undefined;
      this.#lastError = undefined;
      this.#lastFailureAt = undefined;
      this.#bits = keys.bits;
      return { generation: module.generation, slot, session, keys };
    } catch (e) {
      if (!(e instanceof TokenFailure)) throw e;
      // A rejected PIN is remembered (as a salted digest) so that it is not tried again: tokens lock after a few.
      if (e.pinRejected) this.#rejectedPin = digest;
      this.#lastError = `PKCS#11 token '${this.tokenLabel}': ${e.reason}`;
      this.#lastFailureAt = Date.now();
      throw new KeyUnavailableError(this.#lastError);
    }
  }

  #drop(module: Pkcs11Module, lib: PKCS11): void {
    const conn = this.#conn;
    this.#conn = undefined;
    // A session of an earlier generation is gone already, and its handle may now be another user's.
    if (conn !== undefined && conn.generation === module.generation) closeQuietly(lib, conn.session);
  }

  /**
   * The open connection, if it is still of the module's generation. Another
   * user of the module in this process may have initialized it afresh (to see
   * a new token): that ended our session without the token failing, so a new
   * one is opened without an error.
   */
  #current(module: Pkcs11Module): Connection | undefined {
    if (this.#conn !== undefined && this.#conn.generation !== module.generation) this.#conn = undefined;
    return this.#conn;
  }

  /** Runs `op` on a connected session, one call at a time per module; failures drop the session and throw KeyUnavailableError. */
  #run<T>(what: string, op: (lib: PKCS11, conn: Connection) => Promise<T>): Promise<T> {
    const module = this.#module;
    if (module === undefined) return Promise.reject(this.#closedError());
    return module.exclusive(async (lib) => {
      if (this.#module === undefined) throw this.#closedError();
      const conn = this.#current(module) ?? this.#connect(module, lib);
      this.#conn = conn;
      try {
        return await op(lib, conn);
      } catch (e) {
        // Whatever failed, the session may be left mid-operation (CKR_OPERATION_ACTIVE): a new one is opened next time.
        this.#drop(module, lib);
        if (!isPkcs11Failure(e)) throw e;
        this.#lastError = `PKCS#11 token '${this.tokenLabel}': ${what} failed (${errorCode(e)}); the session is reopened on the next call`;
        throw new KeyUnavailableError(this.#lastError);
      }
    });
  }

  #closedError(): KeyUnavailableError {
    return this.#unavailable('the key store is closed');
  }

  /**
   * Whether the token serves the keys now: when a session is open, a cheap
   * probe of the token and the session; otherwise an attempt to open one
   * (spaced by retryIntervalMs). Never throws for an unreachable token.
   */
  available(): Promise<boolean> {
    const module = this.#module;
    if (module === undefined) return Promise.resolve(false);
    return module.exclusive((lib) => {
      if (this.#module === undefined) return false;
      const conn = this.#current(module);
      if (conn !== undefined) {
        try {
          lib.C_GetTokenInfo(conn.slot);
          lib.C_GetSessionInfo(conn.session);
          return true;
        } catch (e) {
          if (!isPkcs11Failure(e)) throw e;
          this.#drop(module, lib);
          this.#lastError = `PKCS#11 token '${this.tokenLabel}': the token stopped answering (${errorCode(e)})`;
        }
      }
      try {
        this.#conn = this.#connect(module, lib);
        return true;
      } catch (e) {
        if (e instanceof KeyUnavailableError) return false;
        throw e;
      }
    });
  }

  keyLength(name: MasterKeyName): MasterKeyBits {
    if (this.#module === undefined) throw this.#closedError();
    const bits = this.#bits?.[name] ?? this.#keyBits;
    if (bits === undefined) throw this.#unavailable(`the token has not been reached yet, so the length of the '${name}' master key is unknown`);
    return bits;
  }

  cmac(name: MasterKeyName, data: Buffer): Promise<Buffer> {
    let input: Buffer;
    try {
      input = Buffer.from(data); // a copy: the call may wait its turn behind others
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#run(`the CMAC with '${this.#labels[name]}'`, async (lib, { session, keys }) => {
      lib.C_SignInit(session, { mechanism: ck.CKM_AES_CMAC }, keys.master[name]);
      // C_Sign on an empty message answers CKR_ARGUMENTS_BAD (SoftHSM2); C_SignFinal alone is the CMAC of no data.
      const tag = input.length === 0 ? lib.C_SignFinal(session, Buffer.alloc(CMAC_BYTES)) : await lib.C_SignAsync(session, input, Buffer.alloc(CMAC_BYTES));
      if (tag.length !== CMAC_BYTES) throw new Error(`the token returned a CMAC of ${tag.length} bytes`);
      return Buffer.from(tag);
    });
  }

  signIssuer(msg: Buffer): Promise<Buffer> {
    let digest: Buffer;
    try {
      digest = createHash('sha256').update(msg).digest();
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#run(`signing with '${this.#labels.issuer}'`, async (lib, { session, keys }) => {
      lib.C_SignInit(session, { mechanism: ck.CKM_ECDSA }, keys.issuer);
      // CKM_ECDSA signs the digest as given and returns r || s, 32 bytes each for P-256.
      const sig = await lib.C_SignAsync(session, digest, Buffer.alloc(ECDSA_P256_BYTES));
      if (sig.length !== ECDSA_P256_BYTES) throw new Error(`the token returned an ECDSA signature of ${sig.length} bytes`);
      return Buffer.from(sig);
    });
  }

  issuerPublicKey(): Promise<IssuerPublicKey> {
    return this.#run('reading the issuer public key', (_lib, { keys }) => {
      const { spki, keyId } = keys.issuerPublic;
      return Promise.resolve({ spki: Buffer.from(spki), keyId });
    });
  }

  /** Closes the session and releases the module (the last user finalizes it). Later calls throw KeyUnavailableError. */
  async close(): Promise<void> {
    const module = this.#module;
    if (module === undefined) return;
    await module.exclusive((lib) => {
      this.#drop(module, lib);
      this.#module = undefined;
    });
    await module.release();
  }

  /** Names the token and module, never a PIN or key. */
  toString(): string {
    return `Pkcs11KeyStore(token '${this.tokenLabel}', module ${this.modulePath})`;
  }

  toJSON(): { keyStore: 'pkcs11'; module: string; token: string } {
    return { keyStore: 'pkcs11', module: this.modulePath, token: this.tokenLabel };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Opens a PKCS#11 key store (Pkcs11KeyStore.open). */
export function openPkcs11KeyStore(options: Pkcs11KeyStoreOptions): Promise<Pkcs11KeyStore> {
  return Pkcs11KeyStore.open(options);
}
