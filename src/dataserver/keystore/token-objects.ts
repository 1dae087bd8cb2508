// The key objects persomux keeps on a PKCS#11 token, found by CKA_LABEL, and
// the attribute reads the store and the init tool share.
import type { MasterKeyName } from '../crypto/key-store.js';
import type { Template } from 'pkcs11js';
import { ck, type PKCS11 } from './pkcs11-module.js';

/** The CKA_LABEL of each key: the three AES master keys, and the issuer key pair (both halves carry the label). */
export interface KeyLabels {
  readonly transport: string;
  readonly enc: string;
  readonly mac: string;
  readonly issuer: string;
}

export const DEFAULT_KEY_LABELS: KeyLabels = {
  transport: 'persomux-transport',
  enc: 'persomux-enc',
  mac: 'persomux-mac',
  issuer: 'persomux-issuer',
};

export const MASTER_KEY_NAMES: readonly MasterKeyName[] = ['transport', 'enc', 'mac'];

export function keyLabels(given?: Partial<KeyLabels>): KeyLabels {
  const labels = { ...DEFAULT_KEY_LABELS, ...given };
  const all = Object.values(labels);
  if (new Set(all).size !== all.length) throw new RangeError(`the key labels must differ: ${all.join(', ')}`);
  for (const l of all) if (typeof l !== 'string' || l.length === 0) throw new RangeError('a key label must be a non-empty string');
  return labels;
}

/** Every object of the session's view with this label (and class, if given). */
export function findObjects(lib: PKCS11, session: Buffer, label: string, cls?: number): Buffer[] {
  const template: Template = [{ type: ck.CKA_LABEL, value: label }];
  if (cls !== undefined) template.push({ type: ck.CKA_CLASS, value: cls });
  lib.C_FindObjectsInit(session, template);
  try {
    const found: Buffer[] = [];
    for (;;) {
      const batch = lib.C_FindObjects(session, 16);
      if (batch.length === 0) return found;
      found.push(...batch);
    }
  } finally {
    lib.C_FindObjectsFinal(session);
  }
}

/** Reads attributes of one object; values come back as the module's raw bytes. */
export function readAttributes(lib: PKCS11, session: Buffer, object: Buffer, types: readonly number[]): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (const a of lib.C_GetAttributeValue(
    session,
    object,
    types.map((type) => ({ type })),
  )) {
    out.set(a.type, a.value);
  }
  return out;
}

/** A CK_BBOOL attribute. */
export function boolValue(v: Buffer | undefined): boolean | undefined {
  return v === undefined || v.length === 0 ? undefined : v[0] !== 0;
}

/** A CK_ULONG attribute (native byte order: 8 bytes on 64-bit Linux, 4 on 32-bit ARM; both little-endian here). */
export function ulongValue(v: Buffer | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v.length === 8) return Number(v.readBigUInt64LE(0));
  if (v.length === 4) return v.readUInt32LE(0);
  return undefined;
}
