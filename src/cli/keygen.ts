// `persomux keygen`: a matching pair of link key files (PROTOCOL.md 3).
import { randomBytes } from 'node:crypto';
import { KeyFileError, writeKeyPair } from '../keys/link-key-file.js';
import { command, help, parseOptions, UsageError } from './args.js';

const HELP = `Usage: persomux keygen --router FILE --server FILE [--router-id HEX] [--server-id HEX]

Writes two key files for one protected link, with a fresh random master
secret and salt, mode 0600: FILE for the router (its 'keyFile' in the
configuration) and FILE for the data server or peer router at the other end.
Both files are written or neither; existing files are never overwritten;
missing folders are created (mode 0700).
  --router-id HEX   the router's Sender ID (kid), 0-7 bytes (default: 4 random bytes)
  --server-id HEX   the other end's Sender ID, 0-7 bytes (default: 4 random bytes)
Random ids keep the pairs of a site apart: a data server or peer port with
several key files tells routers apart by their kid.
`;

function id(value: string | undefined, option: string, fallback: Buffer): Buffer {
  if (value === undefined) return fallback;
  const hex = value;
  if (!/^(?:[0-9a-fA-F]{2}){0,7}$/.test(hex)) throw new UsageError(`--${option} must be 0 to 7 bytes of hex, got '${hex}'`);
  return Buffer.from(hex, 'hex');
}

export function runKeygen(args: string[]): Promise<number> {
  return command(HELP, async () => {
    const o = parseOptions(args, { router: { type: 'string' }, server: { type: 'string' }, 'router-id': { type: 'string' }, 'server-id': { type: 'string' } });
    if (o.help) return help(HELP);
    if (!o.router || !o.server) throw new UsageError('--router FILE and --server FILE are both required');
    try {
      let routerId = id(o['router-id'], 'router-id', randomBytes(4));
      let serverId = id(o['server-id'], 'server-id', randomBytes(4));
      // PROTOCOL.md 6.8: the ids must differ. Given ones are never changed behind the person's back.
      if (o['router-id'] !== undefined && o['server-id'] !== undefined && routerId.equals(serverId)) {
        throw new UsageError(`--router-id and --server-id must differ (equal ids would reuse nonces), both are '${o['router-id']}'`);
      }
      // A random id that happens to equal the other one is drawn again.
      while (serverId.equals(routerId)) {
        if (o['server-id'] === undefined) serverId = randomBytes(4);
        else routerId = randomBytes(4);
      }
      const { createdFolders } = writeKeyPair(o.router, o.server, routerId, serverId);
      for (const dir of createdFolders) process.stdout.write(`created folder ${dir}\n`);
    } catch (e) {
      if (!(e instanceof KeyFileError)) throw e;
      process.stderr.write(`persomux keygen: ${e.message}\n`);
      return 1;
    }
    process.stdout.write(`wrote ${o.router} (router) and ${o.server} (server), mode 0600\n`);
    return 0;
  });
}
