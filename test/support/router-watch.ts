// Watches a router through its status seam (onEvent, snapshot) the way a
// view does: drops counted by line or server and reason, phases read from the
// snapshot. Tests use it instead of reaching into the router.
import type { Router } from '../../src/router/router.js';

export class RouterWatch {
  private readonly drops = new Map<string, number>();
  private readonly unsubscribe: () => void;

  constructor(private readonly router: Router) {
    this.unsubscribe = router.onEvent((e) => {
      if (e.kind === 'line-drop') this.count(`line:${e.line}:${e.reason}`);
      if (e.kind === 'link-drop') this.count(`link:${e.server}:${e.reason}`);
    });
  }

  lineDrops(line: string, reason: string): number {
    return this.drops.get(`line:${line}:${reason}`) ?? 0;
  }

  linkDrops(server: string, reason: string): number {
    return this.drops.get(`link:${server}:${reason}`) ?? 0;
  }

  linePhase(line: string): string | undefined {
    return this.router.snapshot().lines.find((l) => l.name === line)?.phase;
  }

  linkPhase(server: string): string | undefined {
    return this.router.snapshot().servers.find((s) => s.name === server)?.phase;
  }

  stop(): void {
    this.unsubscribe();
  }

  private count(key: string): void {
    this.drops.set(key, (this.drops.get(key) ?? 0) + 1);
  }
}
