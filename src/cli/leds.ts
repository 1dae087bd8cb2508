// `persomux leds`: the front panel by hand. --test runs the lamp test on the
// configured backend; --locate asks the running router (its status
// interface, POST /actions/locate) to blink one line's lamp for 30 s.
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import type { RouterConfig } from '../config/types.js';
import { LOCATE_PATH } from '../http/locate.js';
import { PanelUnavailableError } from '../panel/driver.js';
import { FrontPanel } from '../panel/panel.js';
import { realScheduler } from '../panel/scheduler.js';
import { makeDriver, panelLamps } from '../panel/start-panel.js';
import { command, help, parseOptions, UsageError } from './args.js';

const HELP = `Usage: persomux leds --config FILE --test
       persomux leds --config FILE --locate LINE

--test          every lamp of the configured panel on, then each in turn (about
                1 s + 0.25 s per lamp), then all off
--locate LINE   the running router blinks LINE's lamp (a double flash) for 30 s,
                so you can find its port on the box; asked through the router's
                status interface (status.listen in FILE)
--user NAME     the operator asking (status.credentialsFile in FILE), with the
                password in the environment variable PERSOMUX_PASSWORD: locate
                is an operator action, like drain
`;

export function runLeds(args: string[]): Promise<number> {
  return command(HELP, async () => {
    const o = parseOptions(args, { config: { type: 'string' }, test: { type: 'boolean' }, locate: { type: 'string' }, user: { type: 'string' } });
    if (o.help) return help(HELP);
    if (!o.config) throw new UsageError('--config FILE is required');
    if (Boolean(o.test) === (o.locate !== undefined)) throw new UsageError('give one of --test or --locate LINE');
    let config: RouterConfig;
    try {
      config = loadConfig(o.config);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    return o.test ? lampTest(config) : locate(config, o.locate!, o.user);
  });
}

async function lampTest(config: RouterConfig): Promise<number> {
  const driver = makeDriver(config.panel, {});
  if (!driver) {
    process.stderr.write(`${config.file}: panel.backend is 'none': there are no lamps to test\n`);
    return 1;
  }
  const panel = new FrontPanel({
    lamps: panelLamps(config.panel, config.lines.map((l) => l.name), config.servers.map((s) => s.name)),
    driver,
    scheduler: realScheduler,
    view: () => undefined,
  });
  try {
    await panel.start();
  } catch (e) {
    if (!(e instanceof PanelUnavailableError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
  await panel.runLampTest();
  await panel.stop();
  process.stdout.write(`lamp test done on the ${driver.kind} panel\n`);
  return 0;
}

async function locate(config: RouterConfig, line: string, user: string | undefined): Promise<number> {
  const { host, port } = config.status.listen;
  // The router listens on every address: ask it on loopback.
  const to = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const url = `${config.status.tls ? 'https' : 'http'}://${to.includes(':') ? `[${to}]` : to}:${port}${LOCATE_PATH}?line=${encodeURIComponent(line)}`;
  // HTTP Basic (src/http/actions.ts); the password never on the command line, where ps would show it.
  const headers: Record<string, string> = user ? { authorization: `Basic ${Buffer.from(`${user}:${process.env.PERSOMUX_PASSWORD ?? ''}`).toString('base64')}` } : {};
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers });
  } catch (e) {
    const c = (e as { cause?: { code?: string; message?: string } }).cause;
    const cause = c?.code ?? c?.message ?? (e as Error).message;
    process.stderr.write(`no router answers at ${url} (${cause}): is 'persomux run --config ${config.file}' running?\n`);
    return 1;
  }
  const body = (await res.json().catch(() => ({}))) as { error?: string; seconds?: number };
  if (!res.ok) {
    const hint = res.status === 401 ? (user ? ' (check PERSOMUX_PASSWORD)' : ': give --user NAME with PERSOMUX_PASSWORD set') : '';
    process.stderr.write(`the router refused: ${res.status} ${body.error ?? res.statusText}${hint}\n`);
    return 1;
  }
  process.stdout.write(`${line}'s lamp blinks (double flash) for ${body.seconds} s\n`);
  return 0;
}
