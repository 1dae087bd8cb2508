// Hand-made StatusViews for the panel tests: only what the panel reads.
import type { LedPattern, LineState, RouterState, StatusView } from '../../src/status/view.js';

export function viewWith(lines: Record<string, { pattern: LedPattern; state: string; lastTrafficAt?: number }>, system: LedPattern = 'slow-blink', servers: Record<string, { pattern: LedPattern; state: string }> = {}): StatusView {
  return {
    at: 0,
    wallTime: new Date(0).toISOString(),
    site: { router: 'box', state: 'running' as RouterState, pattern: system, version: '0', uptimeMs: 0, cardsPerHour: 0, cardsTotal: 0, requestsTotal: 0, requestsPerSecond: 0, queuedByOp: {} },
    lines: Object.entries(lines).map(([name, l]) => ({
      name,
      path: `/dev/${name}`,
      state: l.state as LineState,
      pattern: l.pattern,
      queued: 0,
      inFlight: 0,
      requests: 0,
      answers: {},
      drops: {},
      bytesIn: 0,
      bytesOut: 0,
      errorsLastMinute: 0,
      ...(l.lastTrafficAt !== undefined ? { lastTrafficAt: l.lastTrafficAt } : {}),
    })),
    servers: Object.entries(servers).map(([name, s]) => ({
      name,
      address: 'x',
      sealed: false,
      state: s.state as never,
      pattern: s.pattern,
      slots: 1,
      busy: 0,
      ops: [],
      requests: 0,
      errors: 0,
      handshakes: 0,
      drops: {},
    })),
  };
}
