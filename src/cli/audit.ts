// `persomux audit`: check a data server's audit log (src/audit/format.ts), or
// write the Ed25519 key pair that signs its checkpoints.
import { readFileSync } from 'node:fs';
import { AuditKeyError, createAuditKey, loadAuditPublicKey } from '../audit/audit-key.js';
import { plural } from '../audit/problem.js';
import { verifyAuditLog } from '../audit/verify.js';
import { command, help, parseCommandLine, parseOptions, UsageError } from './args.js';
import { systemErrorMeaning } from '../util/system-error.js';

const HELP = `Usage: persomux audit verify FILE --public-key FILE [--strict]
       persomux audit keygen --private FILE --public FILE

verify   checks a data server's audit log: every record's hash, the chain
         that links each line to the one before, and every checkpoint's
         signature. Prints "FILE: N records, N checkpoints, chain intact",
         or the first line that was changed, removed, inserted or moved.
         An empty FILE is said to be empty (not intact).
         Exit 0 intact (or empty), 1 a problem, an empty FILE with --strict,
         or a log that cannot be read.
  --public-key FILE  the server's audit public key (SPKI PEM)
  --strict           records after the last checkpoint, which no signature
                     covers yet, are a problem rather than a warning; so is
                     an empty log

keygen   writes a fresh Ed25519 key pair for a data server's audit log:
         the private key (PKCS#8 PEM, mode 0600) for the server, the public
         key (SPKI PEM) for whoever verifies its logs. Existing files are
         never overwritten; both files are written or neither; missing
         folders are created (mode 0700).
  --private FILE     where the private key goes
  --public FILE      where the public key goes
`;

function verify(args: string[]): number {
  const { values: o, positionals } = parseCommandLine(args, { 'public-key': { type: 'string' }, strict: { type: 'boolean' } }, true);
  if (o.help) return help(HELP);
  if (positionals.length !== 1) throw new UsageError(`audit verify takes one log FILE, got ${positionals.length}`);
  if (!o['public-key']) throw new UsageError('--public-key FILE is required');
  const file = positionals[0] as string;
  let text: string;
  try {
    const publicKey = loadAuditPublicKey(o['public-key']);
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      process.stderr.write(`persomux audit: ${file}: cannot be read: ${systemErrorMeaning(e) ?? 'error'}\n`);
      return 1;
    }
    // An empty log proves nothing: it is not "chain intact" (a server that never wrote, or a file emptied).
    if (text.trim() === '') {
      const message = `${file}: empty: no records, no checkpoints; nothing to verify`;
      process.stdout.write(`${message}${o.strict ? '' : ' (a problem with --strict)'}\n`);
      return o.strict ? 1 : 0;
    }
    const result = verifyAuditLog(text, publicKey, { requireSigned: o.strict ?? false });
    if (!result.ok) {
      process.stdout.write(`${file}: ${result.message}\n`);
      return 1;
    }
    const tail = result.unsignedTail === 0 ? '' : `; the last ${plural(result.unsignedTail, 'record')} ${result.unsignedTail === 1 ? 'is' : 'are'} not yet covered by a checkpoint (they could be cut off without trace)`;
    process.stdout.write(`${file}: ${plural(result.records, 'record')}, ${plural(result.checkpoints, 'checkpoint')}, chain intact${tail}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof AuditKeyError)) throw e;
    process.stderr.write(`persomux audit: ${e.message}\n`);
    return 1;
  }
}

function keygen(args: string[]): number {
  const o = parseOptions(args, { private: { type: 'string' }, public: { type: 'string' } });
  if (o.help) return help(HELP);
  if (!o.private || !o.public) throw new UsageError('--private FILE and --public FILE are both required');
  try {
    const { keyId, createdFolders } = createAuditKey(o.private, o.public);
    for (const dir of createdFolders) process.stdout.write(`created folder ${dir}\n`);
    process.stdout.write(`wrote ${o.private} (private, mode 0600) and ${o.public} (public); key id ${keyId}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof AuditKeyError)) throw e;
    process.stderr.write(`persomux audit keygen: ${e.message}\n`);
    return 1;
  }
}

export function runAudit(args: string[]): Promise<number> {
  return command(HELP, async () => {
    const [sub, ...rest] = args;
    if (sub === '--help' || sub === '-h' || sub === 'help') return help(HELP);
    if (sub === 'verify') return verify(rest);
    if (sub === 'keygen') return keygen(rest);
    throw new UsageError(sub === undefined ? 'audit needs a subcommand: verify or keygen' : `unknown audit subcommand '${sub}' (verify or keygen)`);
  });
}
