import { existsSync } from 'node:fs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { availableDatabaseKinds, createTestDatabase, type TestDatabase } from '../support/test-databases';
import { bootTestApp, type TestApp } from '../support/test-app';

describe.each(availableDatabaseKinds())('Keel boots on %s', (kind) => {
  let db: TestDatabase;
  let testApp: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    testApp = await bootTestApp(db.env);
  });

  afterAll(async () => {
    await testApp?.close();
    await db?.drop();
  });

  it('is ready with the database indicator up', async () => {
    const res = await request(testApp.baseUrl).get('/health/ready').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info.database).toMatchObject({
      status: 'up',
      driver: kind === 'mariadb' ? 'mysql' : kind,
    });
    expect(res.headers['cache-control']).toBe('no-store');
    // Without Redis there is no redis indicator; every other extension reports.
    expect(Object.keys(res.body.details)).toEqual(['database', 'cache', 'queue', 'storage', 'mail', 'sentry', 'otel']);
  });

  it('applied the migrations at boot and has none pending', async () => {
    const dataSource = testApp.app.get(DataSource);
    const runner = dataSource.createQueryRunner();
    try {
      expect(await runner.hasTable('migrations')).toBe(true);
    } finally {
      await runner.release();
    }
    expect(await dataSource.showMigrations()).toBe(false);
  });

  it('serves one indicator by key', async () => {
    const res = await request(testApp.baseUrl).get('/health/database').expect(200);
    expect(Object.keys(res.body.details)).toEqual(['database']);
  });

  if (kind === 'sqlite') {
    it('created the SQLite file on first start', () => {
      expect(existsSync(db.name)).toBe(true);
    });
  }
});
