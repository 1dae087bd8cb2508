// Test support for the virtual card: a deterministic random source, key files
// (the site's keys, shared by the chip maker and the data server), a card from
// the chip maker, and "the server": the PROTOCOL.md 5 answers computed through
// a FileKeyStore with the data server's own helpers, every body passed through
// CBOR as on the wire.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate } from '../../../src/dataserver/crypto/certificate.js';
import { sessionKeysForCard, transportKeyForCard } from '../../../src/dataserver/crypto/derivations.js';
import { createFileKeyStore, openFileKeyStore, type FileKeyStore } from '../../../src/dataserver/crypto/file-key-store.js';
import type { RandomBytes } from '../../../src/sim/card/card-result.js';
import type { CardOutcome, CardRequest, CardRun } from '../../../src/sim/card/personalization.js';
import { manufactureCardFromMasters, type VirtualCard } from '../../../src/sim/card/virtual-card.js';
import { decodeCbor, encodeCbor } from '../../../src/wire/cbor.js';

export const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** Deterministic "random" bytes: SHA-256(seed || counter), as many as asked. */
export function seededRandom(seed: string): RandomBytes {
  let counter = 0;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let off = 0; off < n; off += 32) {
      createHash('sha256').update(`${seed}/${counter++}`).digest().copy(out, off);
    }
    return out;
  };
}

/** The key file of file-key-store.ts. */
export interface KeyFile {
  transportMasterKey: string;
  masterEnc: string;
  masterMac: string;
  issuerPrivateKeyPkcs8: string;
}

let dir: string | undefined;
let files = 0;
function freshFile(): string {
  if (dir === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'persomux-card-'));
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    dir = made;
  }
  return join(dir, `keys-${++files}.json`);
}

/** A new site key set: createFileKeyStore writes fresh keys; the chip maker gets the same file's masters. */
export async function newSite(bits: 128 | 256): Promise<{ store: FileKeyStore; keys: KeyFile }> {
  const file = freshFile();
  const store = await createFileKeyStore(file, bits);
  return { store, keys: JSON.parse(readFileSync(file, 'utf8')) as KeyFile };
}

/** A store over a key file with the given contents (e.g. a site's keys with one master changed). */
export async function storeOf(keys: KeyFile): Promise<FileKeyStore> {
  const file = freshFile();
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  chmodSync(file, 0o600);
  return openFileKeyStore(file);
}

/** Another key of the same length, hex. */
export function otherKey(hexKey: string): string {
  const b = hex(hexKey);
  b[0] = (b[0] as number) ^ 0x01;
  return b.toString('hex');
}

export function otherIssuer(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
}

export function issuerPublicKey(keys: KeyFile): KeyObject {
  return createPublicKey(createPrivateKey({ key: Buffer.from(keys.issuerPrivateKeyPkcs8, 'base64'), format: 'der', type: 'pkcs8' }));
}

/** The chip maker: a card diversified from the site's masters. */
export function chip(keys: KeyFile, csn: Buffer, seed = 'card'): VirtualCard {
  return manufactureCardFromMasters({
    csn,
    transportMasterKey: hex(keys.transportMasterKey),
    masterEnc: hex(keys.masterEnc),
    masterMac: hex(keys.masterMac),
    issuerPublicKey: issuerPublicKey(keys),
    random: seededRandom(`${seed}/${csn.toString('hex')}`),
  });
}

export type Server = (request: CardRequest) => Promise<unknown>;

const wire = (v: unknown): unknown => decodeCbor(encodeCbor(v));

function bytes(body: Record<string, unknown>, key: string): Buffer {
  const v = body[key];
  if (!(v instanceof Uint8Array)) throw new Error(`request field ${key} is not a byte string`);
  return Buffer.from(v);
}

/** The reference data server's answers (PROTOCOL.md 5), from `store`, through CBOR both ways. */
export function serverOf(store: FileKeyStore): Server {
  return async (request) => {
    const body = wire(request.body) as Record<string, unknown>;
    const csn = bytes(body, 'csn');
    switch (request.op) {
      case 'transport-key':
        return wire({ key: await transportKeyForCard(store, csn) });
      case 'session-keys': {
        const s = await sessionKeysForCard(store, csn, bytes(body, 'hostChallenge'), bytes(body, 'cardChallenge'));
        return wire({ sEnc: s.sEnc, sMac: s.sMac, sRmac: s.sRmac, cardCryptogram: s.cardCryptogram, hostCryptogram: s.hostCryptogram });
      }
      case 'certificate':
        return wire(await issueCertificate(store, csn, body['path'] as string, body['size'] as number, bytes(body, 'acl')));
    }
  };
}

/** A server whose answers to `op` pass through `change` (a faulty or forging server). */
export function tampered(server: Server, op: CardRequest['op'], change: (answer: Record<string, unknown>, request: CardRequest) => unknown): Server {
  return async (request) => {
    const answer = await server(request);
    return request.op === op ? change(answer as Record<string, unknown>, request) : answer;
  };
}

/** Runs one card to its end against `server`, as a station would (at most 20 requests). */
export async function drive(run: CardRun, server: Server): Promise<{ outcome: CardOutcome; requests: CardRequest[] }> {
  const requests: CardRequest[] = [];
  let next = run.next;
  while (next.request !== undefined) {
    if (requests.length === 20) throw new Error('the run does not end');
    requests.push(next.request);
    next = run.answer(await server(next.request));
  }
  return { outcome: next.done, requests };
}
