// What the dispatcher's notes look like in the journal, and the answers
// counted by outcome for the router's one-line status. Request-level notes
// are debug (a busy site makes hundreds a second); server changes and
// refusals are info.
import type { Note } from '../dispatch/types.js';
import type { Logger } from '../log/logger.js';

/** Servers choose their error codes: past a few dozen distinct ones, the rest count as 'other'. */
const MAX_OUTCOME_KINDS = 32;

export class NoteLog {
  /** Answers since start, by outcome ('ok' or an error code). */
  readonly outcomes = new Map<string, number>();

  constructor(private readonly log: Logger) {}

  record(n: Note): void {
    if (n.event === 'answered') this.count(n.outcome);
    if (n.event === 'rejected') this.count(n.code);
    switch (n.event) {
      case 'queued':
      case 'dispatched':
      case 'retransmission':
        return this.log.debug(`request.${n.event}`, { ...n, event: undefined });
      case 'answered':
        return this.log[n.outcome === 'ok' ? 'debug' : 'info']('request.answered', { ...n, event: undefined });
      case 'server-available':
        return this.log.info('server.available', { server: n.server, slots: n.slots, ops: n.ops.join(',') });
      default:
        return this.log.info(`${n.event.startsWith('server') ? '' : 'request.'}${n.event}`, { ...n, event: undefined } as never);
    }
  }

  private count(code: string): void {
    const key = this.outcomes.has(code) || this.outcomes.size < MAX_OUTCOME_KINDS ? code : 'other';
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1);
  }
}
