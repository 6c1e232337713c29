import { createHash } from 'node:crypto';
import { traceStatement, traceStatementSync } from '@keel/database';
import { type DataSource, type EntityTarget, type ObjectLiteral, QueryFailedError } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { GroupCommit } from './group-commit';
import { runInTransaction } from './transaction';

interface Plan {
  /** In the driver's placeholder syntax; parameter i is `columns[i]`'s value. */
  sql: string;
  columns: ColumnMetadata[];
  /** A server-side prepared statement's name (PostgreSQL), derived from the SQL. */
  name: string;
  /** The statement prepared on SQLite's connection, once. */
  statement?: SqliteStatement;
}

/** The part of better-sqlite3 used here. */
interface SqliteStatement {
  run(...values: unknown[]): unknown;
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  transaction(work: () => void): () => void;
}

/** The part of node-postgres' pool used here: named statements are parsed once per connection. */
interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<unknown>;
}

/**
 * Prepared-once INSERT statements for the rows written on every chat turn. The
 * repository API builds each statement anew (a CPU profile of the chat benchmark put ~0.2 ms per
 * statement in TypeORM's query builder); these reuse the SQL and still let the driver convert each
 * value exactly as TypeORM would (`preparePersistentValue`: dates, JSON, booleans per dialect).
 */
export class FastWrites<T extends ObjectLiteral> {
  private insertPlan?: Plan;
  /** Combined inserts (see `insertAll`), by the entities they write after this one. */
  private readonly combinedPlans = new Map<string, Plan>();
  /** Multi-row inserts (PostgreSQL's group commit), by row count. */
  private readonly multiRowPlans = new Map<number, Plan>();
  private readonly group = new GroupCommit<T>({
    writeOne: (row) => this.run(this.plannedInsert, row),
    writeMany: (rows) => this.insertMany(rows),
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly entity: EntityTarget<T>,
  ) {}

  /**
   * Inserts one row; on SQLite and PostgreSQL it is group-committed with the other rows inserted
   * in the same turn of the event loop (see `GroupCommit`), and resolves once it is committed.
   */
  async insert(row: T): Promise<void> {
    if (this.sqlite() || this.pgPool()) await this.group.add(row);
    else await this.run(this.plannedInsert, row);
  }

  /** Several rows in one commit; a failure is the caller's (the group commit) to sort out, unlogged. */
  private async insertMany(rows: T[]): Promise<void> {
    const sqlite = this.sqlite();
    if (sqlite) {
      const plan = this.plannedInsert;
      const statement = (plan.statement ??= sqlite.prepare(plan.sql));
      const values = rows.map((row) => this.values(plan.columns, row));
      traceStatementSync('sqlite', plan.sql, () =>
        sqlite.transaction(() => {
          for (const row of values) statement.run(...row);
        })(),
      );
      return;
    }
    let plan = this.multiRowPlans.get(rows.length);
    if (!plan) {
      const sql = this.insertSql(0, rows.length);
      plan = this.plan(sql, Array.from({ length: rows.length }, () => this.meta.columns).flat());
      this.multiRowPlans.set(rows.length, plan);
    }
    const values = rows.flatMap((row) => this.values(this.meta.columns, row));
    const pool = this.pgPool()!;
    const { name, sql } = plan;
    await traceStatement('postgresql', sql, () => pool.query({ name, text: sql, values }));
  }

  /**
   * Inserts this row and then the others, atomically. On PostgreSQL they go as one statement
   * (`WITH a AS (INSERT …) INSERT …`): one round trip, and foreign keys between the rows hold since
   * they are checked at the end of the statement. The other databases use a transaction (on
   * SQLite also one commit instead of one per row).
   */
  async insertAll(row: T, ...others: Array<[FastWrites<ObjectLiteral>, ObjectLiteral]>): Promise<void> {
    if (others.length === 0) return this.insert(row);
    if (this.dataSource.driver.options.type === 'postgres') {
      const key = others.map(([writes]) => writes.meta.tableName).join(',');
      let plan = this.combinedPlans.get(key);
      if (!plan) {
        plan = this.planCombinedInsert(others.map(([writes]) => writes));
        this.combinedPlans.set(key, plan);
      }
      const values = [this.values(this.meta.columns, row), ...others.map(([w, r]) => w.values(w.meta.columns, r))];
      await this.execute(plan, values.flat());
      return;
    }
    const all: Array<[FastWrites<ObjectLiteral>, ObjectLiteral]> = [
      [this as FastWrites<ObjectLiteral>, row],
      ...others,
    ];
    const sqlite = this.sqlite();
    if (sqlite) {
      sqlite.transaction(() => {
        for (const [writes, value] of all) {
          const plan = writes.plannedInsert;
          writes.runOnSqlite(sqlite, plan, writes.values(plan.columns, value));
        }
      })();
      return;
    }
    await runInTransaction(this.dataSource, async (manager) => {
      for (const [writes, value] of all) {
        const plan = writes.plannedInsert;
        await manager.query(plan.sql, writes.values(plan.columns, value));
      }
    });
  }

  private get meta() {
    return this.dataSource.getMetadata(this.entity);
  }

  private get plannedInsert(): Plan {
    return (this.insertPlan ??= this.plan(this.insertSql(0), this.meta.columns));
  }

  /** `INSERT INTO t (…) VALUES (:v<first>, …)`, with `rows` value lists numbered on. */
  private insertSql(first: number, rows = 1): string {
    const driver = this.dataSource.driver;
    const columns = this.meta.columns;
    const names = columns.map((c) => driver.escape(c.databaseName)).join(', ');
    const lists = Array.from({ length: rows }, (_, row) => {
      const offset = first + row * columns.length;
      return `(${columns.map((_, i) => `:v${offset + i}`).join(', ')})`;
    });
    return `INSERT INTO ${driver.escape(this.meta.tableName)} (${names}) VALUES ${lists.join(', ')}`;
  }

  private planCombinedInsert(others: FastWrites<ObjectLiteral>[]): Plan {
    const all = [this as FastWrites<ObjectLiteral>, ...others];
    let next = 0;
    const statements = all.map((writes) => {
      const sql = writes.insertSql(next);
      next += writes.meta.columns.length;
      return sql;
    });
    const last = statements.pop()!;
    const sql = `WITH ${statements.map((s, i) => `w${i} AS (${s})`).join(', ')} ${last}`;
    return this.plan(
      sql,
      all.flatMap((writes) => writes.meta.columns),
    );
  }

  /** Turns `:vN` into the driver's placeholders once; each appears once, in order. */
  private plan(sql: string, columns: ColumnMetadata[]): Plan {
    // String markers: some drivers inline numbers as literals instead of binding them.
    const markers = Object.fromEntries(columns.map((_, i) => [`v${i}`, `marker-${i}`]));
    const [native, order] = this.dataSource.driver.escapeQueryWithParameters(sql, markers, {});
    if (order.length !== columns.length || !order.every((m, i) => m === `marker-${i}`)) {
      throw new Error(`unexpected parameters in ${sql}`);
    }
    return { sql: native, columns, name: `keel_${createHash('sha1').update(native).digest('hex').slice(0, 20)}` };
  }

  private async run(plan: Plan, row: T): Promise<void> {
    await this.execute(plan, this.values(plan.columns, row));
  }

  /**
   * On PostgreSQL, as a named prepared statement straight on TypeORM's pool: parsed and planned
   * once per connection instead of on every call (a third of the server's CPU for the chat
   * path's insert, measured). Traced like every other statement.
   */
  private async execute(plan: Plan, values: unknown[]): Promise<void> {
    const sqlite = this.sqlite();
    if (sqlite) {
      this.runOnSqlite(sqlite, plan, values);
      return;
    }
    const pool = this.pgPool();
    if (pool) {
      const started = performance.now();
      try {
        await traceStatement('postgresql', plan.sql, () => pool.query({ name: plan.name, text: plan.sql, values }));
      } catch (error) {
        throw this.failed(error, plan);
      } finally {
        this.noteIfSlow(plan, started);
      }
      return;
    }
    await this.dataSource.query(plan.sql, values);
  }

  /**
   * On SQLite, better-sqlite3's own prepared statement on TypeORM's connection, without a query
   * runner (its per-call work was half of what a chat turn's writes cost). Synchronous, as every
   * SQLite call here is: like any single statement on the shared connection, it joins a TypeORM
   * transaction that happens to be open (see `runInTransaction`).
   */
  private sqlite(): SqliteDatabase | undefined {
    const driver = this.dataSource.driver;
    if (driver.options.type !== 'better-sqlite3') return undefined;
    return (driver as unknown as { databaseConnection: SqliteDatabase }).databaseConnection;
  }

  /** TypeORM's pg pool, when statements can go straight to it (PostgreSQL without replicas). */
  private pgPool(): PgPool | undefined {
    const driver = this.dataSource.driver;
    if (driver.options.type !== 'postgres' || driver.isReplicated) return undefined;
    return (driver as unknown as { master: PgPool }).master;
  }

  private runOnSqlite(db: SqliteDatabase, plan: Plan, values: unknown[]): void {
    const statement = (plan.statement ??= db.prepare(plan.sql));
    const started = performance.now();
    try {
      traceStatementSync('sqlite', plan.sql, () => statement.run(...values));
    } catch (error) {
      throw this.failed(error, plan);
    } finally {
      this.noteIfSlow(plan, started);
    }
  }

  /**
   * A driver error as TypeORM's query runners report and throw it: logged with the statement, and
   * a `QueryFailedError` wrapping the driver's error — without the bound values, which TypeORM
   * would attach (and an error log would then print).
   */
  private failed(error: unknown, plan: Plan): QueryFailedError {
    this.dataSource.logger.logQueryError(error as Error, plan.sql);
    return new QueryFailedError(plan.sql, undefined, error as Error);
  }

  /** Slow statements are reported as TypeORM reports its own (`maxQueryExecutionTime`). */
  private noteIfSlow(plan: Plan, started: number): void {
    const elapsed = performance.now() - started;
    const limit = this.dataSource.options.maxQueryExecutionTime;
    if (limit && elapsed > limit) this.dataSource.logger.logQuerySlow(Math.round(elapsed), plan.sql);
  }

  private values(columns: ColumnMetadata[], row: ObjectLiteral): unknown[] {
    const driver = this.dataSource.driver;
    return columns.map((column): unknown => driver.preparePersistentValue(column.getEntityValue(row), column));
  }
}
