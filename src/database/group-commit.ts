/** Writes a batch of rows at once, and one row alone (the fallback when the batch fails). */
export interface GroupWriter<T> {
  writeMany(rows: T[]): Promise<void> | void;
  writeOne(row: T): Promise<void> | void;
}

/**
 * How long a batch of unhurried rows (nobody waits on them: see `add`) collects more before it is
 * written. Short enough that a turn's row is visible at once to anyone looking, long enough to
 * put several turns in one commit under load.
 */
export const UNHURRIED_WAIT_MS = 5;

interface Pending<T> {
  row: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: rows added in the same turn of the event loop are written together just after it
 * — in one transaction on SQLite, one multi-row statement on PostgreSQL — at most `maxBatch` at a
 * time. Each commit costs the database the same whatever it holds (SQLite's WAL writes every page
 * the rows touched and takes its file locks; PostgreSQL flushes its WAL), so under load, when many
 * chat turns end at once, the per-row cost drops. One flush at a time: rows added while a write is
 * in flight (a round trip to PostgreSQL) wait for it and go in the next batch, so batches grow with
 * the load instead of the statements in flight (SQLite writes synchronously: nothing overlaps).
 * Rows nobody is waiting for (a turn already answered) may wait up to `UNHURRIED_WAIT_MS` for
 * company; any other row, or a full batch, starts the write at once, with them. A failing row
 * does not fail the others: when a batch fails (and is rolled back as a whole), its rows are
 * written one by one, so each caller gets its own outcome.
 */
export class GroupCommit<T> {
  private pending: Pending<T>[] = [];
  /** Pending rows someone waits for. */
  private awaited = 0;
  private flushing = false;
  private soon?: NodeJS.Immediate;
  private later?: NodeJS.Timeout;

  constructor(
    private readonly writer: GroupWriter<T>,
    private readonly maxBatch = 32,
  ) {}

  /** Resolves once the row is committed; `unhurried` rows may wait a little for others. */
  add(row: T, unhurried = false): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (!unhurried) this.awaited++;
      // A flush under way goes on while it has work that cannot wait (see `flush`).
      if (!this.flushing) this.schedule();
    });
  }

  /** Rows someone waits for, or a full batch, cannot wait. */
  private get urgent(): boolean {
    return this.awaited > 0 || this.pending.length >= this.maxBatch;
  }

  private schedule(): void {
    if (this.urgent) this.soon ??= setImmediate(() => void this.flush());
    else this.later ??= setTimeout(() => void this.flush(), UNHURRIED_WAIT_MS);
  }

  private async flush(): Promise<void> {
    clearImmediate(this.soon);
    clearTimeout(this.later);
    this.soon = this.later = undefined;
    this.flushing = true;
    try {
      // The first batch goes whatever it holds (its time has come); after it, rows that arrived
      // meanwhile go at once only if they cannot wait, else they wait for company as usual.
      do await this.writeAll();
      while (this.urgent);
    } finally {
      this.flushing = false;
    }
    if (this.pending.length) this.schedule();
  }

  private async writeAll(): Promise<void> {
    const all = this.pending;
    this.pending = [];
    this.awaited = 0;
    for (let start = 0; start < all.length; start += this.maxBatch) {
      const batch = all.slice(start, start + this.maxBatch);
      if (batch.length > 1 && (await this.attempt(() => this.writer.writeMany(batch.map((p) => p.row))))) {
        for (const item of batch) item.resolve();
        continue;
      }
      for (const item of batch) {
        try {
          await this.writer.writeOne(item.row);
          item.resolve();
        } catch (error) {
          item.reject(error);
        }
      }
    }
  }

  private async attempt(write: () => Promise<void> | void): Promise<boolean> {
    try {
      await write();
      return true;
    } catch {
      // Rolled back as a whole: the rows are tried one by one.
      return false;
    }
  }
}
