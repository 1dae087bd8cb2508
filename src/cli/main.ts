#!/usr/bin/env node
// persomux: the composition root. Each command builds what it needs and nothing else.
import { runCheck, runRouter } from './run.js';
import { runDataServer } from './dataserver.js';
import { runSim } from './sim.js';
import { runKeygen } from './keygen.js';
import { runKeystore } from './keystore.js';
import { runHsm } from './hsm.js';
import { runAudit } from './audit.js';
import { personMessage } from './args.js';
import { versionText } from './version.js';

const USAGE = `persomux: card-personalization router

Usage: persomux <command> [options]

Commands:
  run         run the router from a configuration file
  check       validate a configuration file and say what it describes
  dataserver  run a reference data server
  sim         run a simulated site (stations, router, data servers) on this machine
  keygen      write a matching pair of key files for a protected link
  keystore    create a development key store file (master keys, issuer key)
  hsm         create the master keys and the issuer key in a PKCS#11 token
  audit       verify a data server's audit log, or make its signing key

'persomux <command> --help' describes each command's options;
'persomux --version' (or '<command> --version') prints the version.
`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  run: runRouter,
  check: runCheck,
  dataserver: runDataServer,
  sim: runSim,
  keygen: runKeygen,
  keystore: runKeystore,
  hsm: runHsm,
  audit: runAudit,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  // Every command answers --version the same way (before `--`, which ends the options).
  const options = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  if (options.includes('--version') || name === 'version') {
    process.stdout.write(versionText());
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`persomux: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  return command(rest);
}

// Whatever escapes a command reaches a person as one line, never a stack trace (args.ts says how).
const fail = (e: unknown): void => {
  process.stderr.write(`${personMessage(e)}\n`);
  process.exit(1);
};
process.on('uncaughtException', fail);
// A router whose stderr goes away keeps routing (its log lines are lost, not its work).
process.stderr.on('error', () => {});
// `persomux ... | head -1`: a closed stdout ends a command quietly, unless the command handles it (sim reports and cleans up).
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (process.stdout.listenerCount('error') === 1) process.exit(e.code === 'EPIPE' ? 0 : 1);
});
process.on('unhandledRejection', fail);

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, fail);
