// The status page: one static HTML file with its script and style
// (status-page.html, next to this module; `make build` copies it to dist/).
// Served with a Content-Security-Policy that allows exactly its own inline
// script and style (by hash) and requests to this origin only.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface StatusPage {
  readonly body: Buffer;
  readonly csp: string;
}

let page: StatusPage | undefined;

export function statusPage(): StatusPage {
  if (page) return page;
  const body = readFileSync(new URL('./status-page.html', import.meta.url));
  const text = body.toString('utf8');
  const hashes = (tag: string): string =>
    [...text.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => `'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`).join(' ');
  const csp = `default-src 'none'; script-src ${hashes('script')}; style-src ${hashes('style')}; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  page = { body, csp };
  return page;
}
