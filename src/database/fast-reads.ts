import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';

/** One table of a planned statement: its entity and the column alias prefix in the result. */
export interface JoinedTable<T extends ObjectLiteral = ObjectLiteral> {
  entity: EntityTarget<T>;
  alias: string;
}

/**
 * Reads planned once and hydrated with the driver's own conversions (dates, JSON, booleans) —
 * for lookups made on every request, where the query builder's per-call work showed in the chat
 * benchmark's profile.
 */
export class FastReads {
  private readonly plans = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * `SELECT` every column of each table, aliased `<alias>_<column>`, with `from` (e.g. joins) and
   * `where` written by the caller using `:value` for the single parameter. Returns one entity (or
   * null, for a LEFT JOIN that found nothing) per table, in order.
   */
  async one(
    id: string,
    tables: JoinedTable[],
    from: string,
    where: string,
    value: string,
  ): Promise<(ObjectLiteral | null)[] | undefined> {
    const metas = tables.map((t) => this.dataSource.getMetadata(t.entity));
    let sql = this.plans.get(id);
    if (!sql) {
      const driver = this.dataSource.driver;
      const columns = metas.flatMap((meta, i) =>
        meta.columns.map(
          (c) =>
            `${tables[i].alias}.${driver.escape(c.databaseName)} AS ${driver.escape(`${tables[i].alias}_${c.databaseName}`)}`,
        ),
      );
      [sql] = driver.escapeQueryWithParameters(
        `SELECT ${columns.join(', ')} FROM ${from} WHERE ${where}`,
        { value: 'marker' },
        {},
      );
      this.plans.set(id, sql);
    }
    const rows = await this.dataSource.query<Record<string, unknown>[]>(sql, [value]);
    if (rows.length === 0) return undefined;
    return metas.map((meta, i) => this.hydrate(meta, rows[0], `${tables[i].alias}_`));
  }

  private hydrate(meta: EntityMetadata, raw: Record<string, unknown>, prefix: string): ObjectLiteral | null {
    const primary = meta.primaryColumns[0];
    if (raw[`${prefix}${primary.databaseName}`] === null || raw[`${prefix}${primary.databaseName}`] === undefined) {
      return null;
    }
    const entity = meta.create() as ObjectLiteral;
    for (const column of meta.columns) {
      column.setEntityValue(
        entity,
        this.dataSource.driver.prepareHydratedValue(raw[`${prefix}${column.databaseName}`], column),
      );
    }
    return entity;
  }
}
