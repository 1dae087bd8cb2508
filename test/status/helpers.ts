// Plain snapshots and events for the status model's tests.
import type { Note } from '../../src/dispatch/types.js';
import type { RouterEvent, RouterSnapshot } from '../../src/router/events.js';

export function snapshot(lines: string[] = ['m1-s1', 'm1-s2'], servers: string[] = ['ds1'], cardOps: string[] = ['transport-key']): RouterSnapshot {
  return {
    router: 'box',
    phase: 'starting',
    lines: lines.map((name) => ({ name, path: `/dev/persomux/${name}`, protocol: 'native', phase: 'opening' })),
    servers: servers.map((name) => ({ name, address: `127.0.0.1:${7000}`, sealed: false, phase: 'connecting' })),
    cardOps,
    dispatch: { queued: new Map(), servers: [], lines: lines.map((name) => ({ name, up: false, inFlight: 0 })) },
  };
}

export const n = (note: Note): RouterEvent => ({ kind: 'note', note });

/** A router that came up: running, every line open, every server ready with `slots`. */
export function upEvents(lines: string[], servers: string[], slots = 2): RouterEvent[] {
  return [
    ...lines.map((line): RouterEvent => ({ kind: 'line', line, phase: 'open' })),
    ...servers.flatMap((server): RouterEvent[] => [
      { kind: 'link', server, phase: 'open' },
      n({ event: 'server-available', server, slots, ops: ['echo', 'transport-key'] }),
    ]),
    { kind: 'router', phase: 'running' },
  ];
}
