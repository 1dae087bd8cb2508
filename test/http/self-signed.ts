// A self-signed certificate and key for 127.0.0.1, made by the openssl command (Debian's openssl package).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export function selfSigned(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'status.crt');
  const key = join(dir, 'status.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}
