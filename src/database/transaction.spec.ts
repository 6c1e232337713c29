import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { runInTransaction } from './transaction';

describe('runInTransaction on SQLite (one shared connection)', () => {
  let ds: DataSource;

  beforeEach(async () => {
    ds = await new DataSource({ type: 'better-sqlite3', database: ':memory:' }).initialize();
    await ds.query('CREATE TABLE t (id INTEGER PRIMARY KEY)');
  });

  afterEach(() => ds.destroy());

  it('keeps overlapping transactions apart: a failing one does not undo one that committed', async () => {
    const first = runInTransaction(ds, async (m) => {
      await m.query('INSERT INTO t (id) VALUES (1)');
      await sleep(20); // real I/O inside the transaction lets the other request start
      await m.query('INSERT INTO t (id) VALUES (2)');
    });
    const second = runInTransaction(ds, async (m) => {
      await m.query('INSERT INTO t (id) VALUES (3)');
      await m.query('INSERT INTO t (id) VALUES (1)'); // duplicate key: this transaction fails
    });
    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toThrow(/UNIQUE/);
    expect(await ds.query('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });
});
