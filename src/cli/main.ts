#!/usr/bin/env node
// persomux: the composition root. Each command builds what it needs and nothing else.
import { runCheck, runRouter } from './run.js';
import { runDataServer } from './dataserver.js';
import { runSim } from './sim.js';
import { runSize } from './size.js';
import { runKeygen } from './keygen.js';
import { runKeystore } from './keystore.js';
import { runHsm } from './hsm.js';
import { runAudit } from './audit.js';
import { runReload } from './reload.js';
import { runLeds } from './leds.js';

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

const commands: Record<string, (args: string[]) => Promise<number>> = {
  run: runRouter,
  check: runCheck,
  reload: runReload,
  dataserver: runDataServer,
  sim: runSim,
  size: runSize,
  keygen: runKeygen,
  keystore: runKeystore,
  hsm: runHsm,
  audit: runAudit,
  leds: runLeds,
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
