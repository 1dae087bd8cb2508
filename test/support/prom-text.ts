// A small parser of the Prometheus text exposition format (0.0.4), for tests
// that read /metrics as Prometheus would: comments give HELP and TYPE, each
// sample line is `name{label="value",...} value [timestamp]`, label values
// escape \\, \" and \n. A character-by-character reader, no regular
// expression over the text: a malformed line is an error naming its number.
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly samples: readonly Sample[];
  readonly types: ReadonlyMap<string, string>;
  readonly help: ReadonlyMap<string, string>;
}

export class ExpositionError extends Error {}

const NAME_START = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === ':';
const NAME_CHAR = (c: string): boolean => NAME_START(c) || (c >= '0' && c <= '9');

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    const fail = (why: string): never => {
      throw new ExpositionError(`line ${i + 1}: ${why}: ${line}`);
    };
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const parts = line.slice(1).trimStart().split(' ');
      if (parts[0] === 'TYPE') {
        if (parts.length !== 3) fail('TYPE needs a name and a type');
        if (types.has(parts[1]!)) fail('second TYPE for one metric');
        types.set(parts[1]!, parts[2]!);
      } else if (parts[0] === 'HELP') help.set(parts[1] ?? fail('HELP needs a name'), parts.slice(2).join(' '));
      return;
    }
    let p = 0;
    const peek = (): string => line[p] ?? '';
    const readName = (): string => {
      const start = p;
      if (!NAME_START(peek())) fail(`a name expected at column ${p + 1}`);
      while (NAME_CHAR(peek())) p++;
      return line.slice(start, p);
    };
    const name = readName();
    const labels: Record<string, string> = {};
    if (peek() === '{') {
      p++;
      while (peek() !== '}') {
        const key = readName();
        if (line[p++] !== '=' || line[p++] !== '"') fail(`=" expected after label ${key}`);
        let value = '';
        for (;;) {
          const c = line[p++];
          if (c === undefined) fail('unterminated label value');
          if (c === '"') break;
          if (c === '\\') {
            const e = line[p++];
            value += e === 'n' ? '\n' : e === '\\' ? '\\' : e === '"' ? '"' : fail(`bad escape \\${e}`);
          } else value += c;
        }
        if (key in labels) fail(`label ${key} twice`);
        labels[key] = value;
        if (peek() === ',') p++;
        else if (peek() !== '}') fail(`, or } expected at column ${p + 1}`);
      }
      p++;
    }
    if (peek() !== ' ') fail('a space expected before the value');
    const fields = line.slice(p + 1).split(' ');
    if (fields.length < 1 || fields.length > 2) fail('a value and an optional timestamp expected');
    const raw = fields[0]!;
    // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case.
    const special = raw.toLowerCase().replace(/^\+/, '');
    const value = special === 'inf' ? Infinity : special === '-inf' ? -Infinity : special === 'nan' ? NaN : Number(raw);
    if (raw === '' || (Number.isNaN(value) && special !== 'nan')) fail(`not a number: ${raw}`);
    samples.push({ name, labels, value });
  });
  return { samples, types, help };
}

/** The value of the one sample with this name and exactly these labels (undefined when absent). */
export function sampleValue(e: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const keys = Object.keys(labels);
  const found = e.samples.filter((s) => s.name === name && Object.keys(s.labels).length === keys.length && keys.every((k) => s.labels[k] === labels[k]));
  if (found.length > 1) throw new ExpositionError(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** The sum over every sample with this name whose labels include `labels`. */
export function sumOf(e: Exposition, name: string, labels: Record<string, string> = {}): number {
  return e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}
