// The accepting end of a sealed TCP link on a fake clock over an in-memory
// link, as the middle-tier tests drive it: the test holds the router's end,
// sees the accepting end's events, its log lines and the frames it sends.
import { AcceptedLink } from '../../src/links/accepted-link.js';
import type { LinkKeys } from '../../src/keys/link-key-file.js';
import { createLogger } from '../../src/log/logger.js';
import { FrameReader } from '../../src/wire/frame-reader.js';
import { FakeScheduler } from './fake-scheduler.js';
import { memoryPair } from './memory-transport.js';

/** A matching pair of link keys: the router's and the server's side of one context. */
export const ROUTER_KEYS: LinkKeys = { masterSecret: Buffer.alloc(16, 4), masterSalt: Buffer.alloc(8, 1), senderId: Buffer.of(1), recipientId: Buffer.of(2) };
export const SERVER_KEYS: LinkKeys = { masterSecret: Buffer.alloc(16, 4), masterSalt: Buffer.alloc(8, 1), senderId: Buffer.of(2), recipientId: Buffer.of(1) };

export function acceptingEnd() {
  const clock = new FakeScheduler();
  const [router, far] = memoryPair();
  const events: string[] = [];
  const logs: string[] = [];
  const frames: Buffer[] = [];
  const reader = new FrameReader(4096);
  router.on('data', (c: Buffer) => {
    for (const e of reader.push(c)) if (e.kind === 'frame') frames.push(e.body);
  });
  new AcceptedLink(
    far,
    'tcp',
    4096,
    { kind: 'sealed', candidates: [{ keys: SERVER_KEYS }] },
    { open: () => events.push('open'), authenticated: () => events.push('authenticated'), request: () => events.push('request'), closed: () => events.push('closed') },
    createLogger({ write: (l) => logs.push(l) }),
    clock,
  );
  return { clock, router, events, logs, frames };
}
