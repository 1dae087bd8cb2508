// `persomux keystore create`: a development key store in a file (PROTOCOL.md 5 master keys + issuer key).
import { createFileKeyStore, KeyFileError } from '../dataserver/crypto/file-key-store.js';
import { command, help, parseOptions, UsageError } from './args.js';

const HELP = `Usage: persomux keystore create --file FILE [--bits 128|256]

Writes a development key store: fresh random master keys (transportMasterKey,
masterEnc, masterMac, AES of --bits, default 128) and a P-256 issuer key, in
FILE with mode 0600. Never overwrites. For production keep the keys in an HSM
('persomux hsm init') instead.
`;

export function runKeystore(args: string[]): Promise<number> {
  return command(HELP, async () => {
    const [verb, ...rest] = args;
    if (verb === '--help' || verb === '-h') return help(HELP);
    if (verb !== 'create') throw new UsageError(`unknown keystore command '${verb ?? ''}'`);
    const o = parseOptions(rest, { file: { type: 'string' }, bits: { type: 'string' } });
    if (o.help) return help(HELP);
    if (!o.file) throw new UsageError('--file FILE is required');
    const bits = o.bits === undefined || o.bits === '128' ? 128 : o.bits === '256' ? 256 : undefined;
    if (!bits) throw new UsageError(`--bits must be 128 or 256, got '${o.bits}'`);
    try {
      const store = await createFileKeyStore(o.file, bits);
      const { keyId } = await store.issuerPublicKey();
      await store.close();
      process.stdout.write(`wrote ${o.file} (mode 0600): ${bits}-bit master keys, issuer key ${keyId}\n`);
      return 0;
    } catch (e) {
      if (!(e instanceof KeyFileError)) throw e;
      process.stderr.write(`persomux keystore: ${e.message}\n`);
      return 1;
    }
  });
}
