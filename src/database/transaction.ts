import type { DataSource, EntityManager } from 'typeorm';

const tails = new WeakMap<DataSource, Promise<unknown>>();

/**
 * `dataSource.transaction(work)`, safe on SQLite too. TypeORM's better-sqlite3 driver runs every
 * query on one shared connection, so two overlapping transactions would nest (the second becomes a
 * savepoint of the first, and its rollback would undo the first's committed work). On SQLite the
 * transactions of this process therefore run one after another; the other databases give each
 * transaction its own pooled connection and need no queue.
 *
 * better-sqlite3 is synchronous, so a transaction that awaits nothing but its own statements
 * cannot be interleaved anyway; the queue matters as soon as one awaits real I/O in between.
 * Single statements outside a transaction still share SQLite's connection and could land inside
 * such a transaction; only its rollback (an error path) would then undo them.
 */
export function runInTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (dataSource.options.type !== 'better-sqlite3') return dataSource.transaction(work);
  const previous = tails.get(dataSource) ?? Promise.resolve();
  const result = previous.then(() => dataSource.transaction(work));
  tails.set(
    dataSource,
    result.catch(() => undefined),
  );
  return result;
}
