// Input from outside quoted in a log line is cut to a short prefix: a 4000-byte
// op name must cost a log line of a hundred characters, not 8 KiB (issue 11
// item 4). The logger also cuts any field value past MAX_FIELD_CHARS, as a
// backstop for a call that forgot to quote.

/** What a quoted piece of input keeps. */
export const QUOTE_MAX_CHARS = 40;
/** The longest value any log field may have (logger.ts). */
export const MAX_FIELD_CHARS = 200;

/** `text` itself when short, else its first `max` characters and how much was left out. */
export function quote(text: string, max = QUOTE_MAX_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}...(+${text.length - max} chars)`;
}

/** Bytes as hex, cut to the first max/2 bytes. */
export function quoteBytes(bytes: Uint8Array, max = QUOTE_MAX_CHARS): string {
  const keep = Math.floor(max / 2);
  const hex = Buffer.from(bytes.subarray(0, keep)).toString('hex');
  return bytes.length <= keep ? hex : `${hex}...(${bytes.length} bytes)`;
}
