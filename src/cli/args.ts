// The one place for the rules of the command line: how options are read,
// what each flag's value must be, and how any failure reaches a person (one
// line naming the flag or file and what is expected; never a raw Node.js
// message or a stack trace).
import { systemErrorMeaning, describeSystemError } from '../util/system-error.js';

export class UsageError extends Error {}

/**
 * A failure the command explains itself (a file it cannot use, a key that
 * does not fit): printed as it is, exit 1, without the help text.
 */
export class CommandError extends Error {}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  /** Ignored: every flag is spelled out (`--config`, not `-c`); only `-h` is short. */
  readonly short?: string;
}

type Values<O extends Record<string, OptionSpec>> = {
  -readonly [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : O[K] extends { multiple: true } ? string[] : string;
} & { help?: boolean };

/**
 * What each flag's value is, for the message when it is missing, and the
 * closed set of values where there is one (refused otherwise, whatever the
 * command does with it).
 */
const FLAG_VALUES: Readonly<Record<string, { readonly value: string; readonly allowed?: readonly string[] }>> = {
  config: { value: 'FILE (a router configuration)' },
  'log-level': { value: 'debug, info, warn or error', allowed: ['debug', 'info', 'warn', 'error'] },
  listen: { value: 'HOST:PORT' },
  serial: { value: 'PATH (a serial device)' },
  baud: { value: 'N (baud rate)' },
  slots: { value: 'N (a whole number)' },
  'max-body': { value: 'N (bytes)' },
  'service-time': { value: 'MS or exp:MS' },
  name: { value: 'NAME' },
  key: { value: 'FILE (a link key file)' },
  keys: { value: 'FILE (a key store file)' },
  token: { value: 'LABEL (a PKCS#11 token label)' },
  'pin-file': { value: 'FILE (holding the PIN)' },
  module: { value: 'PATH (a PKCS#11 module)' },
  'key-bits': { value: '128 or 256', allowed: ['128', '256'] },
  bits: { value: '128 or 256', allowed: ['128', '256'] },
  audit: { value: 'FILE (the audit log)' },
  'audit-key': { value: 'FILE (the audit private key)' },
  'public-key': { value: 'FILE (the audit public key)' },
  private: { value: 'FILE' },
  public: { value: 'FILE' },
  router: { value: 'FILE (the router side key file)' },
  server: { value: 'FILE (the server side key file)' },
  'router-id': { value: 'HEX (0 to 7 bytes)' },
  'server-id': { value: 'HEX (0 to 7 bytes)' },
  file: { value: 'FILE' },
  seconds: { value: 'N (seconds)' },
  machines: { value: 'N' },
  stations: { value: 'N' },
  servers: { value: 'N' },
  'chip-ms': { value: 'N (milliseconds)' },
  boxes: { value: '1 or 2', allowed: ['1', '2'] },
  'wrong-key': { value: 'dsN (a data server of the run)' },
  keep: { value: 'DIR (a folder to keep the run in)' },
  'pid-file': { value: 'FILE (the running router\'s pid file)' },
  pid: { value: 'PID (the running router\'s process id)' },
};

export const expectedValue = (flag: string): string => FLAG_VALUES[flag]?.value ?? 'a value';

export function parseOptions<const O extends Record<string, OptionSpec>>(args: readonly string[], options: O): Values<O> {
  return parseCommandLine(args, options, false).values;
}

/** Options and the positional arguments (when the command takes some, e.g. `audit verify FILE`). */
export function parseCommandLine<const O extends Record<string, OptionSpec>>(args: readonly string[], options: O, allowPositionals: boolean): { values: Values<O>; positionals: string[] } {
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  const known = (): string => Object.keys(options).map((k) => `--${k}`).join(', ') || 'none';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      values.help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unknown option '${arg}': options are spelled out, e.g. --config (this command takes ${known()})`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const spec = Object.hasOwn(options, name) ? options[name] : undefined;
    if (!spec) throw new UsageError(`unknown option '--${name}' (this command takes ${known()})`);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = args[i + 1];
      // A value never starts with `--`: that is the next flag, and this one was given no value.
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value: ${expectedValue(name)}`);
      value = next;
      i++;
    }
    const allowed = FLAG_VALUES[name]?.allowed;
    if (allowed && !allowed.includes(value)) throw new UsageError(`--${name} must be ${expectedValue(name)}, got '${value}'`);
    if (spec.multiple) values[name] = [...((values[name] as string[] | undefined) ?? []), value];
    else if (values[name] !== undefined) throw new UsageError(`--${name} is given twice ('${values[name] as string}' and '${value}')`);
    else values[name] = value;
  }
  if (!allowPositionals && positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (this command takes only options: ${known()})`);
  return { values: values as Values<O>, positionals };
}

export function positiveInt(value: string | undefined, option: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${option} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, got '${value}'`);
  }
  return n;
}

/** `HOST:PORT` (IPv6 as `[addr]:PORT`); port 0 (any free port) only where we listen. */
export function hostPort(value: string, option: string, listening: boolean): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d+)$/.exec(value);
  const min = listening ? 0 : 1;
  if (!m) throw new UsageError(`--${option} must be HOST:PORT (IPv6 as [ADDR]:PORT), got '${value}'`);
  const port = Number(m[3]);
  if (port < min || port > 65535) throw new UsageError(`--${option} port must be ${min} to 65535, got ${m[3]}`);
  return { host: (m[1] ?? m[2])!, port };
}

/**
 * Runs a command body. A usage error prints the message and the help (exit
 * 2); a command error or a system error (a file, a device, an address) one
 * line (exit 1); anything else one line too, marked internal, with the
 * stack only when PERSOMUX_STACK=1.
 */
export async function command(help: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n\n${help}`);
      return 2;
    }
    process.stderr.write(`${personMessage(e)}\n`);
    return 1;
  }
}

/** One line for a person, whatever was thrown. */
export function personMessage(e: unknown): string {
  if (e instanceof CommandError) return e.message;
  if (systemErrorMeaning(e) !== undefined) return `persomux: ${describeSystemError(e)}`;
  const stack = process.env.PERSOMUX_STACK === '1' && e instanceof Error ? `\n${e.stack}` : '';
  return `persomux: internal error: ${describeSystemError(e)} (PERSOMUX_STACK=1 shows where)${stack}`;
}

export function help(text: string): number {
  process.stdout.write(text);
  return 0;
}
