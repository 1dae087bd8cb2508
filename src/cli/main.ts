#!/usr/bin/env node
// persomux: the composition root. Each command builds what it needs and nothing else.
import { personMessage } from './args.js';
import { versionText } from './version.js';

const USAGE = `persomux: card-personalization router

Usage: persomux <command> [options]

Commands:
  run         run the router from a configuration file
  check       validate a configuration file and say what it describes
  status      show a running router's lines and servers (--watch: live)
  reload      ask a running router to read its configuration again (SIGHUP)
  dataserver  run a reference data server
  sim         run a simulated site (stations, router, data servers) on this machine
  size        how many data servers a site needs for its cards/hour (queueing model)
  keygen      write a matching pair of key files for a protected link
  keystore    create a development key store file (master keys, issuer key)
  hsm         create the master keys and the issuer key in a PKCS#11 token
  audit       verify a data server's audit log, or make its signing key
  leds        test the front panel's lamps, or locate a line's port on the box
  health      ask a running router whether it is healthy (its /healthz)

'persomux <command> --help' describes each command's options;
'persomux --version' (or '<command> --version') prints the version.
`;

// Each command's modules load only when it runs: `keygen` or a mistyped flag need not load serial ports, PKCS#11 or the router.
const commands: Record<string, (args: string[]) => Promise<number>> = {
  run: async (a) => (await import('./run.js')).runRouter(a),
  check: async (a) => (await import('./run.js')).runCheck(a),
  status: async (a) => (await import('./status.js')).runStatus(a),
  dataserver: async (a) => (await import('./dataserver.js')).runDataServer(a),
  sim: async (a) => (await import('./sim.js')).runSim(a),
  size: async (a) => (await import('./size.js')).runSize(a),
  keygen: async (a) => (await import('./keygen.js')).runKeygen(a),
  keystore: async (a) => (await import('./keystore.js')).runKeystore(a),
  hsm: async (a) => (await import('./hsm.js')).runHsm(a),
  audit: async (a) => (await import('./audit.js')).runAudit(a),
  reload: async (a) => (await import('./reload.js')).runReload(a),
  leds: async (a) => (await import('./leds.js')).runLeds(a),
  health: async (a) => (await import('./health.js')).runHealth(a),
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
