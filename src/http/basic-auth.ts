// HTTP Basic (RFC 7617) against the operators of the credentials file. The
// password is compared as a SHA-256 digest in constant time, and never
// logged or echoed.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { digestPassword } from '../config/credentials-file.js';
import type { StatusCredential } from '../config/types.js';

export type AuthResult = { readonly ok: true; readonly user: string } | { readonly ok: false; readonly why: 'no-credentials' | 'malformed' | 'wrong' };

export function checkBasicAuth(req: IncomingMessage, credentials: readonly StatusCredential[]): AuthResult {
  const header = req.headers.authorization;
  if (!header) return { ok: false, why: 'no-credentials' };
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return { ok: false, why: 'malformed' };
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { ok: false, why: 'malformed' };
  const user = decoded.slice(0, colon);
  const digest = digestPassword(decoded.slice(colon + 1));
  // Every entry is compared, so the time taken does not say which users exist.
  let found: string | undefined;
  for (const c of credentials) if (timingSafeEqual(c.passwordDigest, digest) && c.user === user) found = c.user;
  return found === undefined ? { ok: false, why: 'wrong' } : { ok: true, user: found };
}
