// A configuration mistake, named by file, field and reason.
export interface ConfigProblem {
  /** A JSON path such as `lines[2].baudRate`, or `(file)` for the file as a whole. */
  readonly field: string;
  readonly reason: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(problems.map((p) => `${file}: ${p.field}: ${p.reason}`).join('\n'));
    this.name = 'ConfigError';
  }
}
