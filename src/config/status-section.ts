// The `status` section (the HTTP interface) and the statistics fields
// (`stateDir`, `snapshotSchedule`): checked once here, files read here.
import { createSecureContext } from 'node:tls';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validate as validCron } from 'node-cron';
import { CredentialsFileError, readCredentialsFile } from './credentials-file.js';
import { DEFAULT_SNAPSHOT_SCHEDULE, DEFAULT_STATE_DIR, DEFAULT_STATUS_LISTEN } from './limits.js';
import type { StatusConfig } from './types.js';

/** What this section needs of the configuration checker (src/config/validate.ts). */
export interface SectionChecker {
  fail(field: string, reason: string): undefined;
  object(value: unknown, field: string): Record<string, unknown> | undefined;
  onlyKeys(obj: Record<string, unknown>, field: string, known: readonly string[]): void;
  text(value: unknown, field: string): string | undefined;
}

type TcpParser = (value: unknown, field: string) => { host: string; port: number } | undefined;

/** The status interface (page, /metrics, /healthz, actions): loopback port 8080, actions disabled, unless the file says otherwise. */
export function statusSection(c: SectionChecker, value: unknown, configDir: string, tcp: TcpParser): StatusConfig | undefined {
  const o = value === undefined ? {} : c.object(value, 'status');
  if (!o) return undefined;
  c.onlyKeys(o, 'status', ['listen', 'credentialsFile', 'tls']);
  const listen = tcp(o.listen ?? DEFAULT_STATUS_LISTEN, 'status.listen');
  let credentials: StatusConfig['credentials'] = [];
  let credentialsFile: string | undefined;
  if (o.credentialsFile !== undefined) {
    const raw = c.text(o.credentialsFile, 'status.credentialsFile');
    if (raw !== undefined) {
      credentialsFile = resolve(configDir, raw);
      try {
        credentials = readCredentialsFile(credentialsFile);
      } catch (e) {
        if (!(e instanceof CredentialsFileError)) throw e;
        c.fail('status.credentialsFile', `${credentialsFile}: ${e.message}`);
      }
    }
  }
  const tls = o.tls === undefined ? undefined : tlsFiles(c, o.tls, configDir);
  if (!listen || (o.tls !== undefined && !tls)) return undefined;
  return { listen, credentials, ...(credentialsFile ? { credentialsFile } : {}), ...(tls ? { tls } : {}) };
}

function tlsFiles(c: SectionChecker, value: unknown, configDir: string): StatusConfig['tls'] {
  const o = c.object(value, 'status.tls');
  if (!o) return undefined;
  c.onlyKeys(o, 'status.tls', ['cert', 'key']);
  const read = (key: 'cert' | 'key'): { file: string; pem: Buffer } | undefined => {
    const raw = c.text(o[key], `status.tls.${key}`);
    if (raw === undefined) return undefined;
    const file = resolve(configDir, raw);
    try {
      return { file, pem: readFileSync(file) };
    } catch (e) {
      return c.fail(`status.tls.${key}`, `${file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const cert = read('cert');
  const key = read('key');
  if (!cert || !key) return undefined;
  try {
    createSecureContext({ cert: cert.pem, key: key.pem });
  } catch (e) {
    // OpenSSL's reason names what is wrong (no start line, key values mismatch); it never quotes the key.
    return c.fail('status.tls', `${cert.file} and ${key.file} are not a PEM certificate and its private key: ${(e as Error).message}`);
  }
  return { certFile: cert.file, cert: cert.pem, key: key.pem };
}

/** `stateDir` (absolute, or relative to the configuration file) and `snapshotSchedule` (node-cron). */
export function statisticsFields(c: SectionChecker, root: Record<string, unknown>, configDir: string): { stateDir: string; snapshotSchedule: string } | undefined {
  const dir = root.stateDir === undefined ? DEFAULT_STATE_DIR : c.text(root.stateDir, 'stateDir');
  const schedule = root.snapshotSchedule === undefined ? DEFAULT_SNAPSHOT_SCHEDULE : root.snapshotSchedule;
  if (typeof schedule !== 'string' || !validCron(schedule)) {
    c.fail('snapshotSchedule', `must be a cron expression such as '${DEFAULT_SNAPSHOT_SCHEDULE}' (every 5 minutes; a sixth leading field is seconds)`);
    return undefined;
  }
  return dir === undefined ? undefined : { stateDir: resolve(configDir, dir), snapshotSchedule: schedule };
}
