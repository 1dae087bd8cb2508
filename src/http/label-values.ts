// Label values for /metrics are bounded: a series per value costs memory on
// the box and in Prometheus, and a station or server must not be able to
// make new series at will. Ops are those the configuration lists or a server
// announces; codes and reasons are capped; anything else counts as `other`.
export const OTHER = 'other';

/** Distinct codes or reasons kept per label before the rest count as `other`. */
export const MAX_VALUES = 32;

export class BoundedValues {
  private readonly values = new Set<string>();

  constructor(
    initial: Iterable<string> = [],
    private readonly max = MAX_VALUES,
  ) {
    for (const v of initial) this.values.add(v);
  }

  /** Makes `value` known (an op announced by a server), within the bound. */
  admit(value: string): void {
    if (this.values.size < this.max) this.values.add(value);
  }

  /** The value itself when known, else `other`. */
  label(value: string | undefined): string {
    return value !== undefined && this.values.has(value) ? value : OTHER;
  }

  /** The value, learnt on first sight while there is room (codes, reasons). */
  learn(value: string): string {
    this.admit(value);
    return this.label(value);
  }
}
