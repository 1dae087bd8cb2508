// How long the reference data server takes per request: fixed, or
// exponentially distributed around a mean (a plausible model for HSM work).
import type { Random } from '../util/random.js';

export type ServiceTime = { readonly kind: 'fixed'; readonly ms: number } | { readonly kind: 'exp'; readonly meanMs: number };

export function sampleServiceMs(t: ServiceTime, random: Random): number {
  if (t.kind === 'fixed') return t.ms;
  return -t.meanMs * Math.log(1 - random());
}

/** `40` (fixed) or `exp:40` (exponential, mean 40 ms). */
export function parseServiceTime(text: string): ServiceTime | undefined {
  const m = /^(exp:)?(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[2]);
  return m[1] ? { kind: 'exp', meanMs: n } : { kind: 'fixed', ms: n };
}

export function describeServiceTime(t: ServiceTime): string {
  return t.kind === 'fixed' ? `${t.ms} ms fixed` : `${t.meanMs} ms mean (exponential)`;
}
