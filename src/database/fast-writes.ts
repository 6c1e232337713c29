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

/** Rows written together, atomically: one per table, in order (the first is the FastWrites' own). */
type Unit = Array<[FastWrites<ObjectLiteral>, ObjectLiteral]>;

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
  /** Statements for units of k rows per table (PostgreSQL), by tables and k. */
  private readonly unitPlans = new Map<string, Plan>();
  /** One group commit per combination of tables written together. */
  private readonly groups = new Map<string, GroupCommit<Unit>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly entity: EntityTarget<T>,
  ) {}

  /**
   * Inserts one row (group-committed on SQLite and PostgreSQL, as `insertAll`). `unhurried`: no
   * one is waiting for it, so it may wait a few milliseconds to share a commit (see GroupCommit).
   */
  async insert(row: T, unhurried = false): Promise<void> {
    await this.write([[this as FastWrites<ObjectLiteral>, row]], unhurried);
  }

  /**
   * Inserts this row and then the others, atomically, and resolves once they are committed.
   *
   * On SQLite and PostgreSQL the write is group-committed (see `GroupCommit`) with the same
   * tables' writes of the same turn of the event loop: on PostgreSQL one statement for all of
   * them (`WITH a AS (INSERT … VALUES (…), (…)) INSERT … VALUES (…), (…)` — one round trip, and
   * foreign keys between the rows hold since they are checked at the end of the statement), on
   * SQLite one transaction. MySQL/MariaDB use one transaction per call.
   */
  async insertAll(row: T, ...others: Array<[FastWrites<ObjectLiteral>, ObjectLiteral]>): Promise<void> {
    await this.write([[this as FastWrites<ObjectLiteral>, row], ...others], false);
  }

  private async write(unit: Unit, unhurried: boolean): Promise<void> {
    if (this.sqlite() || this.pgPool()) {
      await this.groupFor(unit).add(unit, unhurried);
      return;
    }
    if (unit.length === 1) {
      await this.dataSource.query(this.plannedInsert.sql, this.values(this.meta.columns, unit[0][1] as T));
      return;
    }
    await runInTransaction(this.dataSource, async (manager) => {
      for (const [writes, value] of unit) {
        const plan = writes.plannedInsert;
        await manager.query(plan.sql, writes.values(plan.columns, value));
      }
    });
  }

  private groupFor(unit: Unit): GroupCommit<Unit> {
    const key = unit.map(([writes]) => writes.meta.tableName).join(',');
    let group = this.groups.get(key);
    if (!group) {
      group = new GroupCommit<Unit>({
        writeOne: (one) => this.writeUnits([one], true),
        writeMany: (units) => this.writeUnits(units, false),
      });
      this.groups.set(key, group);
    }
    return group;
  }

  /**
   * Units of the same tables, in one transaction (SQLite) or one statement (PostgreSQL). A unit
   * written alone reports its failure like any failed statement; a failed batch is the group
   * commit's to sort out, so it is not logged.
   */
  private async writeUnits(units: Unit[], alone: boolean): Promise<void> {
    const sqlite = this.sqlite();
    if (sqlite) {
      const write = () => {
        for (const unit of units) {
          for (const [writes, value] of unit) {
            const plan = writes.plannedInsert;
            const values = writes.values(plan.columns, value);
            if (alone) writes.runOnSqlite(sqlite, plan, values);
            else (plan.statement ??= sqlite.prepare(plan.sql)).run(...values);
          }
        }
      };
      if (alone) sqlite.transaction(write)();
      else traceStatementSync('sqlite', this.plannedInsert.sql, () => sqlite.transaction(write)());
      return;
    }
    const plan = this.unitPlan(units[0], units.length);
    // Values table by table, and within a table unit by unit, as the statement lists them.
    const values = units[0].flatMap((_, table) =>
      units.flatMap((unit) => {
        const [writes, value] = unit[table];
        return writes.values(writes.meta.columns, value);
      }),
    );
    await this.executeOnPg(this.pgPool()!, plan, values, alone);
  }

  /** The statement for `count` units of these tables: one multi-row INSERT per table, chained with WITH. */
  private unitPlan(unit: Unit, count: number): Plan {
    const tables = unit.map(([writes]) => writes);
    const key = `${tables.map((writes) => writes.meta.tableName).join(',')}|${count}`;
    let plan = this.unitPlans.get(key);
    if (!plan) {
      let next = 0;
      const statements = tables.map((writes) => {
        const sql = writes.insertSql(next, count);
        next += writes.meta.columns.length * count;
        return sql;
      });
      const last = statements.pop()!;
      const sql = statements.length ? `WITH ${statements.map((s, i) => `w${i} AS (${s})`).join(', ')} ${last}` : last;
      plan = this.plan(
        sql,
        tables.flatMap((writes) => Array.from({ length: count }, () => writes.meta.columns).flat()),
      );
      this.unitPlans.set(key, plan);
    }
    return plan;
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

  /**
   * On PostgreSQL, as a named prepared statement straight on TypeORM's pool: parsed and planned
   * once per connection instead of on every call (a third of the server's CPU for the chat
   * path's insert, measured). Traced like every other statement; `report` says whether a
   * failure is logged (not for a group commit's batch, which is retried row by row).
   */
  private async executeOnPg(pool: PgPool, plan: Plan, values: unknown[], report: boolean): Promise<void> {
    const started = performance.now();
    try {
      await traceStatement('postgresql', plan.sql, () => pool.query({ name: plan.name, text: plan.sql, values }));
    } catch (error) {
      throw report ? this.failed(error, plan) : error;
    } finally {
      this.noteIfSlow(plan, started);
    }
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
