// /events: Server-Sent Events carrying the status view to open pages. A view
// goes out when something changed (at most every SEND_EVERY_MS) and at least
// every KEEPALIVE_MS (the uptime moves, and a page learns the router is
// still there). The number of open streams is capped.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StatusView } from '../status/view.js';
import type { Scheduler, Timer } from '../machines/scheduler.js';
import { every } from '../machines/every.js';
import { backgroundScheduler } from '../timers/system-scheduler.js';

const SEND_EVERY_MS = 250;
const KEEPALIVE_MS = 2_000;
export const MAX_STREAMS = 32;

export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private dirty = false;
  private lastSentAt = -Infinity;
  private readonly timer: Timer;

  constructor(
    private readonly view: () => StatusView,
    /** Sent once to each new page, before the first view (what the interface allows). */
    private readonly hello: () => unknown,
    // Pages are watchers: their tick must not keep a stopping process alive.
    private readonly scheduler: Scheduler = backgroundScheduler,
  ) {
    this.timer = every(scheduler, SEND_EVERY_MS, () => this.tick());
  }

  /** Something changed: the next tick sends a view. */
  changed(): void {
    this.dirty = true;
  }

  get size(): number {
    return this.clients.size;
  }

  open(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.clients.size >= MAX_STREAMS) return false;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    // A page that loses the stream tries again after a second.
    res.write(`retry: 1000\n\n`);
    res.write(frame('interface', this.hello()));
    res.write(frame('view', this.view()));
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
    return true;
  }

  /** Sends the current view now (the router stopping must not wait for a tick). */
  flush(): void {
    if (this.clients.size === 0) return;
    this.dirty = false;
    this.lastSentAt = this.scheduler.now();
    const text = frame('view', this.view());
    for (const res of this.clients) res.write(text);
  }

  close(): void {
    this.timer.cancel();
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private tick(): void {
    if (this.dirty || this.scheduler.now() - this.lastSentAt >= KEEPALIVE_MS) this.flush();
  }
}

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
