// Group commit: every record appended during one turn of the event loop goes
// to disk in one write and one fdatasync, and each caller's promise resolves
// once its record is durable. While a sync is running, new records gather for
// the next one, so under load the cost is about one sync per turn, not per
// request (issue 11 item 3). The file calls run on libuv's pool: the event
// loop never waits for the disk.
import { close, fdatasync, write } from 'node:fs';
import { promisify } from 'node:util';

const writeAsync = promisify(write);
const fdatasyncAsync = promisify(fdatasync);
const closeAsync = promisify(close);

export class JournalWriteError extends Error {
  constructor(
    readonly file: string,
    readonly code: string,
  ) {
    super(`journal ${file}: cannot be written (${code})`);
    this.name = 'JournalWriteError';
  }
}

interface Waiter {
  resolve(segment: number): void;
  reject(e: Error): void;
}

/** Where the next batch goes; `rotate` is asked for before each batch. */
export interface SegmentTarget {
  readonly number: number;
  readonly fd: number;
  readonly file: string;
  bytes: number;
}

export class GroupCommit {
  private pending: Buffer[] = [];
  private waiters: Waiter[] = [];
  private scheduled = false;
  private running: Promise<void> | undefined;
  /** A batch failed part-way: the segment may end in a torn record, so the next batch goes to a fresh one. */
  private broken = false;
  /** Batches written and synced, and records in them: what the bench and the status read. */
  readonly stats = { commits: 0, records: 0, bytes: 0 };

  constructor(
    private target: SegmentTarget,
    /** Called before each batch: may open the next segment and return it (the old one is closed here); must when `mustRotate`. */
    private readonly beforeBatch: (current: SegmentTarget, mustRotate: boolean) => Promise<SegmentTarget>,
  ) {}

  /** Resolves once `record` is on disk (written and fdatasync'ed), with the number of the segment that holds it. */
  append(record: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending.push(record);
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when nothing is pending or being written. */
  async idle(): Promise<void> {
    while (this.running || this.scheduled) await (this.running ?? new Promise((r) => setImmediate(r)));
  }

  get current(): SegmentTarget {
    return this.target;
  }

  async close(): Promise<void> {
    await this.idle();
    await closeAsync(this.target.fd);
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    // setImmediate: after the I/O callbacks of this turn, so a turn's requests share the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.running = this.drain().finally(() => {
        this.running = undefined;
        if (this.pending.length > 0) this.schedule();
      });
    });
  }

  private async drain(): Promise<void> {
    const batch = Buffer.concat(this.pending);
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    try {
      const next = await this.beforeBatch(this.target, this.broken);
      this.broken = false;
      if (next !== this.target) {
        const old = this.target;
        this.target = next;
        await closeAsync(old.fd);
      }
      let done = 0;
      while (done < batch.length) done += (await writeAsync(this.target.fd, batch, done, batch.length - done)).bytesWritten;
      await fdatasyncAsync(this.target.fd);
      this.target.bytes += batch.length;
      this.stats.commits++;
      this.stats.records += waiters.length;
      this.stats.bytes += batch.length;
      for (const w of waiters) w.resolve(this.target.number);
    } catch (e) {
      this.broken = true;
      const err = e instanceof JournalWriteError ? e : new JournalWriteError(this.target.file, (e as NodeJS.ErrnoException).code ?? 'error');
      for (const w of waiters) w.reject(err);
    }
  }
}
