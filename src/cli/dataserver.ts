// `persomux dataserver`: the reference data server, for tests, the simulator and benchmarks.
import { createLogger, parseLevel } from '../log/logger.js';
import { DataServer } from '../dataserver/dataserver.js';
import { describeServiceTime, parseServiceTime } from '../dataserver/service-time.js';
import { command, help, parseOptions, positiveInt, UsageError } from './args.js';

const HELP = `Usage: persomux dataserver [--listen HOST:PORT] [--serial PATH [--baud N]]
                           [--slots N] [--service-time MS | exp:MS] [--name NAME]

Serves the reference ops (echo) to routers.
  --listen HOST:PORT   TCP address to listen on (default 127.0.0.1:7000)
  --serial PATH        also serve one router on this serial device
  --slots N            requests worked on at once, announced in 'ready' (default 4)
  --service-time T     time per request: MS fixed, or exp:MS exponential with that mean (default exp:40)
`;

export function runDataServer(args: string[]): Promise<number> {
  return command(HELP, async () => {
    const o = parseOptions(args, {
      listen: { type: 'string' },
      serial: { type: 'string' },
      baud: { type: 'string' },
      slots: { type: 'string' },
      'service-time': { type: 'string' },
      name: { type: 'string' },
      'log-level': { type: 'string' },
    });
    if (o.help) return help(HELP);
    const m = /^(.+):(\d+)$/.exec(o.listen ?? '127.0.0.1:7000');
    if (!m) throw new UsageError(`--listen must be HOST:PORT, got '${o.listen}'`);
    const serviceTime = parseServiceTime(o['service-time'] ?? 'exp:40');
    if (!serviceTime) throw new UsageError(`--service-time must be MS or exp:MS, got '${o['service-time']}'`);
    const log = createLogger({ level: parseLevel(o['log-level']) });
    const server = new DataServer({ name: o.name ?? 'dataserver', slots: positiveInt(o.slots, 'slots', 4, 0), serviceTime, log });
    log.info('dataserver.start', { service: describeServiceTime(serviceTime) });
    await server.listen(m[1]!, Number(m[2]));
    if (o.serial) {
      await server.openSerial({ path: o.serial, baudRate: positiveInt(o.baud, 'baud', 115200), dataBits: 8, parity: 'none', stopBits: 1, rtscts: false });
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return 0;
  });
}
