/** Writes a batch of rows at once, and one row alone (the fallback when the batch fails). */
export interface GroupWriter<T> {
  writeMany(rows: T[]): Promise<void> | void;
  writeOne(row: T): Promise<void> | void;
}

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
 * A failing row does not fail the others: when a batch fails (and is rolled back as a whole), its
 * rows are written one by one, so each caller gets its own outcome.
 */
export class GroupCommit<T> {
  private pending: Pending<T>[] = [];
  private flushing = false;

  constructor(
    private readonly writer: GroupWriter<T>,
    private readonly maxBatch = 32,
  ) {}

  add(row: T): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.pending.push({ row, resolve, reject }) === 1 && !this.flushing) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length) await this.writeAll();
    } finally {
      this.flushing = false;
    }
  }

  private async writeAll(): Promise<void> {
    const all = this.pending;
    this.pending = [];
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
