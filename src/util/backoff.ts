// Reconnect delays: start small, double, stay under a ceiling (PROTOCOL.md 2.2
// rule 2 gives 250 ms doubling to 10 s for server links).
export class Backoff {
  private next: number;
  constructor(
    private readonly firstMs = 250,
    private readonly maxMs = 10_000,
  ) {
    this.next = firstMs;
  }
  /** The delay before the next attempt; each call doubles the one after. */
  delay(): number {
    const d = this.next;
    this.next = Math.min(this.maxMs, this.next * 2);
    return d;
  }
  reset(): void {
    this.next = this.firstMs;
  }
}
