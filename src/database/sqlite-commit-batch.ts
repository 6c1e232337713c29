/** The part of better-sqlite3 used here. */
export interface SqliteBatchDatabase {
  transaction(work: () => void): () => void;
}

interface Pending {
  write: () => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const batches = new WeakMap<SqliteBatchDatabase, SqliteCommitBatch>();

/**
 * Group commit for SQLite: single-row writes issued in the same turn of the event loop are
 * committed together, in one transaction, just after it. Each commit of SQLite's WAL writes every
 * page the row touched (the table's and each index's) and takes its file locks; under load several
 * turns end at once, and one commit for all of them cost about half as much per row as one each
 * in the OpenAI-compatible benchmark. A failing row does not fail the others: the batch is then
 * rolled back and its rows are written one by one, so each caller gets its own outcome.
 */
export class SqliteCommitBatch {
  private pending: Pending[] = [];

  private constructor(private readonly db: SqliteBatchDatabase) {}

  static of(db: SqliteBatchDatabase): SqliteCommitBatch {
    let batch = batches.get(db);
    if (!batch) batches.set(db, (batch = new SqliteCommitBatch(db)));
    return batch;
  }

  /** Runs `write` (synchronous SQLite statements) in the next group commit. */
  add(write: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.pending.push({ write, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 1) {
      try {
        this.db.transaction(() => {
          for (const item of batch) item.write();
        })();
        for (const item of batch) item.resolve();
        return;
      } catch {
        // Rolled back as a whole: find out which row failed by writing them one by one.
      }
    }
    for (const item of batch) {
      try {
        item.write();
        item.resolve();
      } catch (error) {
        item.reject(error);
      }
    }
  }
}
