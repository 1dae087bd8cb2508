// The requests waiting for a server, in arrival order (by seq): first come,
// first served per op, and across ops that share a server (PROTOCOL.md 2.1 rule 4).
import type { Request } from './request.js';

export class ArrivalQueue {
  private readonly items: Request[] = [];

  get length(): number {
    return this.items.length;
  }

  at(i: number): Request {
    return this.items[i]!;
  }

  push(req: Request): void {
    this.items.push(req);
  }

  removeAt(i: number): void {
    this.items.splice(i, 1);
  }

  remove(req: Request): void {
    const at = this.items.indexOf(req);
    if (at >= 0) this.items.splice(at, 1);
  }

  /** A retried request keeps its place by arrival, ahead of later ones. */
  reinsert(req: Request): void {
    let at = this.items.length;
    while (at > 0 && this.items[at - 1]!.seq > req.seq) at--;
    this.items.splice(at, 0, req);
  }

  /** `q` of an `ack`: requests of the same op queued ahead of this one. */
  aheadOf(req: Request): number {
    let ahead = 0;
    for (const other of this.items) {
      if (other === req) break;
      if (other.op === req.op) ahead++;
    }
    return ahead;
  }

  countByOp(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const req of this.items) counts.set(req.op, (counts.get(req.op) ?? 0) + 1);
    return counts;
  }
}
