import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * `findOneBy({ <column>: value })` through a statement planned once, hydrated with the driver's
 * own conversions (dates, JSON, booleans) — for lookups made on every request, where the query
 * builder's per-call work showed in the chat benchmark's profile.
 */
export class FastReads<T extends ObjectLiteral> {
  private readonly plans = new Map<string, string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly entity: EntityTarget<T>,
  ) {}

  async findOneBy(property: keyof T & string, value: string): Promise<T | null> {
    const meta = this.dataSource.getMetadata(this.entity);
    let sql = this.plans.get(property);
    if (!sql) {
      const driver = this.dataSource.driver;
      const key = meta.findColumnWithPropertyName(property);
      if (!key) throw new Error(`${meta.name} has no column for ${property}`);
      const columns = meta.columns.map((c) => driver.escape(c.databaseName)).join(', ');
      const [native] = driver.escapeQueryWithParameters(
        `SELECT ${columns} FROM ${driver.escape(meta.tableName)} WHERE ${driver.escape(key.databaseName)} = :value LIMIT 1`,
        { value: 'marker' },
        {},
      );
      sql = native;
      this.plans.set(property, sql);
    }
    const rows = await this.dataSource.query<Record<string, unknown>[]>(sql, [value]);
    if (rows.length === 0) return null;
    return this.hydrate(meta.columns, rows[0], meta.create() as T);
  }

  private hydrate(columns: ColumnMetadata[], raw: Record<string, unknown>, entity: T): T {
    for (const column of columns) {
      column.setEntityValue(entity, this.dataSource.driver.prepareHydratedValue(raw[column.databaseName], column));
    }
    return entity;
  }
}
