#!/usr/bin/env node
// persomux: the composition root. Each command builds what it needs and nothing else.
const USAGE = `persomux: card-personalization router

Usage: persomux <command> [options]

Commands:
  run         run the router from a configuration file
  check       validate a configuration file and say what it describes
  reload      ask a running router to read its configuration again (SIGHUP)
  dataserver  run a reference data server
  sim         run a simulated site (stations, router, data servers) on this machine
  size        how many data servers a site needs for its cards/hour (queueing model)
  keygen      write a matching pair of key files for a protected link
  keystore    create a development key store file (master keys, issuer key)
  hsm         create the master keys and the issuer key in a PKCS#11 token
  audit       verify a data server's audit log, or make its signing key
  leds        test the front panel's lamps, or locate a line's port on the box

'persomux <command> --help' describes each command's options.
`;

// Each command's module is loaded only when it runs: the router's memory holds
// neither the data server's PKCS#11 code nor the simulator (issue 13, item 5).
const commands: Record<string, (args: string[]) => Promise<number>> = {
  run: async (a) => (await import('./run.js')).runRouter(a),
  check: async (a) => (await import('./run.js')).runCheck(a),
  reload: async (a) => (await import('./reload.js')).runReload(a),
  dataserver: async (a) => (await import('./dataserver.js')).runDataServer(a),
  sim: async (a) => (await import('./sim.js')).runSim(a),
  size: async (a) => (await import('./size.js')).runSize(a),
  keygen: async (a) => (await import('./keygen.js')).runKeygen(a),
  keystore: async (a) => (await import('./keystore.js')).runKeystore(a),
  hsm: async (a) => (await import('./hsm.js')).runHsm(a),
  audit: async (a) => (await import('./audit.js')).runAudit(a),
  leds: async (a) => (await import('./leds.js')).runLeds(a),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`persomux: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
