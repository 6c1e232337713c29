import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { App } from '../modules/apps/app.entity';
import { Conversation } from '../modules/conversations/conversation.entity';
import { ENTITIES } from './database.entities';
import { FastReads } from './fast-reads';
import { FastWrites } from './fast-writes';
import { MIGRATIONS } from './database.migrations';

describe('FastWrites and FastReads (SQLite)', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await new DataSource({
      type: 'better-sqlite3',
      database: join(mkdtempSync(join(tmpdir(), 'keel-fw-')), 'k.sqlite'),
      entities: ENTITIES,
      migrations: MIGRATIONS,
      migrationsRun: true,
    }).initialize();
    await ds.query('PRAGMA foreign_keys = OFF');
  });
  afterAll(() => ds.destroy());

  it('inserts rows that read back as the repository wrote them', async () => {
    const writes = new FastWrites(ds, Conversation);
    const now = new Date('2026-01-02T03:04:05.678Z');
    const row: Conversation = {
      id: randomUUID(),
      workspaceId: randomUUID(),
      appId: randomUUID(),
      endUserId: randomUUID(),
      name: 'n',
      externalId: null,
      inputs: { a: 1 },
      status: 'normal',
      dialogueCount: 1,
      createdAt: now,
      updatedAt: now,
    };
    await writes.insert(row);
    expect(await ds.getRepository(Conversation).findOneByOrFail({ id: row.id })).toEqual(row);
  });

  it('reads a row exactly as the repository does (JSON, booleans, nulls, dates)', async () => {
    const now = new Date('2026-05-06T07:08:09.010Z');
    const app: App = {
      id: randomUUID(),
      workspaceId: randomUUID(),
      name: 'a',
      mode: 'chat',
      slug: 'a',
      description: '',
      iconType: 'emoji',
      icon: null,
      iconBackground: null,
      status: 'normal',
      enableApi: false,
      apiRpm: 7,
      apiMaxActiveRequests: null,
      modelConfig: null,
      createdBy: null,
      createdAt: now,
      updatedAt: now,
    };
    await new FastWrites(ds, App).insert(app);
    const reads = new FastReads(ds);
    const byId = async (id: string) =>
      (await reads.one('app-by-id', [{ entity: App, alias: 'a' }], 'apps a', 'a.id = :value', id))?.[0] ?? null;
    expect(await byId(app.id)).toEqual(await ds.getRepository(App).findOneByOrFail({ id: app.id }));
    expect(await byId(randomUUID())).toBeNull();
  });
});
