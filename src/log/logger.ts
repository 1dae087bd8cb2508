// One line per event, logfmt: `time level event key=value ...`. Readable at a
// glance by a person and parseable by a machine. Callers pass ids, names,
// codes and counts, never key material or body bytes.
import { MAX_FIELD_CHARS, quote } from './quote.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(event: string, fields?: Fields): void;
  info(event: string, fields?: Fields): void;
  warn(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
  /** Would a line at this level be written? (A rate limit spends nothing on lines that would not.) */
  enabled(level: Level): boolean;
  child(fields: Fields): Logger;
}

/**
 * Control characters (C0, DEL, C1) are escaped: a station's text must not
 * drive the operator's terminal. A value longer than MAX_FIELD_CHARS is cut
 * (quote.ts): outside input never makes a log line long.
 */
function formatValue(v: string | number | boolean | null): string {
  const s = quote(String(v), MAX_FIELD_CHARS);
  if (/^[^\s"=\\\u0000-\u001f\u007f-\u009f]+$/.test(s)) return s;
  return JSON.stringify(s).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}


export function formatLine(level: Level, event: string, fields: Fields, now = new Date()): string {
  let line = `${now.toISOString()} ${level.padEnd(5)} ${event}`;
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${formatValue(v)}`;
  return line;
}

export function createLogger(options: { level?: Level; write?: (line: string) => void; fields?: Fields } = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const base = options.fields ?? {};
  const at =
    (level: Level) =>
    (event: string, fields: Fields = {}): void => {
      if (RANK[level] >= threshold) write(formatLine(level, event, { ...base, ...fields }));
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    enabled: (level) => RANK[level] >= threshold,
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

export function parseLevel(text: string | undefined): Level {
  return text === 'debug' || text === 'warn' || text === 'error' ? text : 'info';
}

/** For tests and quiet runs. */
export const silentLogger: Logger = createLogger({ write: () => {} });
