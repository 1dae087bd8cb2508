// Reads a configuration file: JSON, then validation. A mistake stops with the
// file, the field (or line and column for a syntax error) and the reason.
import { readFileSync } from 'node:fs';
import { systemErrorMeaning } from '../util/system-error.js';
import { ConfigError } from './errors.js';
import type { RouterConfig } from './types.js';
import { validateConfig } from './validate.js';

export function parseConfigText(file: string, text: string): RouterConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [{ field: '(file)', reason: describeSyntaxError(text, e as Error) }]);
  }
  const result = validateConfig(file, raw);
  if ('problems' in result) throw new ConfigError(file, result.problems);
  return result.config;
}

export function loadConfig(file: string): RouterConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ field: '(file)', reason: `cannot be read: ${systemErrorMeaning(e) ?? (e as Error).message}` }]);
  }
  return parseConfigText(file, text);
}

/** V8 reports "at position N"; people want line and column. */
function describeSyntaxError(text: string, e: Error): string {
  const m = /position (\d+)/.exec(e.message);
  if (!m) return `is not valid JSON: ${oneLine(e.message)}`;
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `is not valid JSON at line ${line}, column ${column}: ${oneLine(e.message.replace(/ in JSON at position \d+.*$/, ''))}`;
}

/** One problem, one line: V8 quotes a piece of the file, which may hold newlines. */
const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ');
