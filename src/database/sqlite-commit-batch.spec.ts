import Database from 'better-sqlite3';
import { SqliteCommitBatch } from './sqlite-commit-batch';

describe('SqliteCommitBatch (group commit on a real in-memory SQLite database)', () => {
  let db: Database.Database;
  let insert: Database.Statement;

  beforeEach(() => {
    db = new Database(':memory:');
    db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, v INTEGER NOT NULL)');
    insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  });
  afterEach(() => db.close());

  const rows = () => db.prepare('SELECT id, v FROM t ORDER BY id').all();

  it('commits writes issued in the same tick together, after it', async () => {
    const batch = SqliteCommitBatch.of(db);
    expect(SqliteCommitBatch.of(db)).toBe(batch);
    const done = [batch.add(() => insert.run('a', 1)), batch.add(() => insert.run('b', 2))];
    expect(rows()).toEqual([]);
    await Promise.all(done);
    expect(rows()).toEqual([
      { id: 'a', v: 1 },
      { id: 'b', v: 2 },
    ]);
  });

  it('fails only the failing write of a batch; the others are committed', async () => {
    insert.run('taken', 0);
    const batch = SqliteCommitBatch.of(db);
    const outcomes = await Promise.allSettled([
      batch.add(() => insert.run('x', 1)),
      batch.add(() => insert.run('taken', 2)),
      batch.add(() => insert.run('y', 3)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(rows()).toEqual([
      { id: 'taken', v: 0 },
      { id: 'x', v: 1 },
      { id: 'y', v: 3 },
    ]);
  });

  it('a write alone is committed on its own, and its error reaches its caller', async () => {
    const batch = SqliteCommitBatch.of(db);
    await batch.add(() => insert.run('solo', 1));
    await expect(batch.add(() => insert.run('solo', 2))).rejects.toThrow(/UNIQUE/);
    expect(rows()).toEqual([{ id: 'solo', v: 1 }]);
  });
});
