// What the dispatcher's notes look like in the journal, and the answers
// counted by outcome for the router's one-line status. Request-level notes
// are debug (a busy site makes hundreds a second); server changes and
// refusals are info. Each note is written within the log budget of the
// source it is about (its line, or its server's link: src/log/rate-limit.ts),
// so a station sending garbage costs at most its line's lines a minute.
import type { Note } from '../dispatch/types.js';
import type { Level, Logger } from '../log/logger.js';

/** Servers choose their error codes: past a few dozen distinct ones, the rest count as 'other'. */
const MAX_OUTCOME_KINDS = 32;

export class NoteLog {
  /** Answers since start, by outcome ('ok' or an error code). */
  readonly outcomes = new Map<string, number>();

  constructor(
    /** Whether a level is logged at all: a request's routine notes (three or more per request) cost nothing when not. */
    private readonly enabled: (level: Level) => boolean,
    private readonly logFor: (n: Note) => Logger,
  ) {}

  record(n: Note): void {
    if (n.event === 'answered') this.count(n.outcome);
    if (n.event === 'rejected') this.count(n.code);
    const level = levelOf(n);
    if (!this.enabled(level)) return;
    const log = this.logFor(n);
    switch (n.event) {
      case 'server-available':
        return log.info('server.available', { server: n.server, slots: n.slots, ops: n.ops.join(',') });
      case 'queued':
      case 'dispatched':
      case 'retransmission':
      case 'answered':
        return log[level](`request.${n.event}`, { ...n, event: undefined });
      default:
        return log[level](`${n.event.startsWith('server') ? '' : 'request.'}${n.event}`, { ...n, event: undefined } as never);
    }
  }

  private count(code: string): void {
    const key = this.outcomes.has(code) || this.outcomes.size < MAX_OUTCOME_KINDS ? code : 'other';
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1);
  }
}

/** Request-level notes are debug, an answer that is not ok and everything else info. */
function levelOf(n: Note): Level {
  if (n.event === 'queued' || n.event === 'dispatched' || n.event === 'retransmission') return 'debug';
  if (n.event === 'answered') return n.outcome === 'ok' ? 'debug' : 'info';
  return 'info';
}
