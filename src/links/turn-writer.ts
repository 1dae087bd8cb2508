// One write per link per event-loop turn. Every frame a link sends is sealed
// at once, when it is sent (so its sequence number follows the order of the
// sends, PROTOCOL.md 3), but its bytes wait here until the I/O callbacks of
// this turn have run: a turn in which 24 station lines each hand a request to
// the same server then costs one write to its socket instead of 24. A profile
// of the router under full load had ~30% of its main thread in write calls
// (README, "The router's cost per request").
//
// setImmediate, not a microtask: microtasks run after each I/O callback, so
// they would batch only what one callback sent; setImmediate runs once the
// poll phase has delivered every ready descriptor's data.
import type { Writable } from 'node:stream';

export class TurnWriter {
  private readonly pending: Buffer[] = [];
  private scheduled = false;

  constructor(private readonly stream: Writable) {}

  /** Queues bytes for the end of this turn, after whatever was queued before them. */
  write(bytes: Buffer): void {
    this.pending.push(bytes);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Writes what is queued now, as one chunk: before a close, so nothing sent before it is lost. */
  flush(): void {
    if (this.pending.length === 0) return;
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending.length = 0; // the same array every turn
    if (!this.stream.destroyed && this.stream.writable) this.stream.write(bytes);
  }
}
