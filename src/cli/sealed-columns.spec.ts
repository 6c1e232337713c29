import { DataSource } from 'typeorm';
import { ENTITIES } from '../database/database.entities';
import { SEALED_COLUMNS } from './sealed-columns';

describe('SEALED_COLUMNS', () => {
  it('names every encrypted_* column of the schema, so a key rotation re-encrypts them all', async () => {
    const ds = await new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: ENTITIES }).initialize();
    try {
      const inSchema = ds.entityMetadatas
        .flatMap((meta) =>
          meta.columns
            .filter((c) => c.databaseName.startsWith('encrypted_'))
            .map((c) => `${meta.tableName}.${c.propertyName}`),
        )
        .sort();
      const listed = SEALED_COLUMNS.map((c) => `${ds.getMetadata(c.entity).tableName}.${c.property}`).sort();
      expect(inSchema.length).toBeGreaterThanOrEqual(4);
      expect(listed).toEqual(inSchema);
    } finally {
      await ds.destroy();
    }
  });
});
