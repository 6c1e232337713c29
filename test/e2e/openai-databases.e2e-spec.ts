import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { App } from '../../src/modules/apps/app.entity';
import { Conversation } from '../../src/modules/conversations/conversation.entity';
import { ConversationsService } from '../../src/modules/conversations/conversations.service';
import { EndUsersService } from '../../src/modules/conversations/end-users.service';
import { bearer, type Session, setupOwner } from '../support/console';
import { createApp } from '../support/console-apps';
import { describeWith } from '../support/services';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../support/test-databases';
import { bootTestApp, type TestApp } from '../support/test-app';

/**
 * What the OpenAI-compatible API keeps in the database, on each database: apps' model ids
 * (backfilled by the migration, unique under concurrent creation, kept on rename) and
 * conversations bound to a client's chat id (one per id even when first turns race).
 */
function modelIdsOn(kind: TestDatabaseKind): void {
  let db: TestDatabase | undefined;
  let t: TestApp;
  let owner: Session;

  beforeAll(async () => {
    db = kind === 'sqlite' ? undefined : await createTestDatabase(kind);
    t = await bootTestApp(db?.env ?? {});
    owner = await setupOwner(t);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('numbers model ids of same-named apps created at once, and keeps an id when the app is renamed', async () => {
    const created = await Promise.all(
      Array.from({ length: 6 }, () => createApp(t, owner, { name: 'Help Desk', mode: 'chat' })),
    );
    const slugs = created.map((app) => app.model_id as string).sort();
    expect(slugs).toEqual(['help-desk', 'help-desk-2', 'help-desk-3', 'help-desk-4', 'help-desk-5', 'help-desk-6']);
    const renamed = await request(t.baseUrl)
      .put(`/console/api/apps/${created[0].id}`)
      .set(bearer(owner.access))
      .send({ name: 'Something Else' })
      .expect(200);
    expect(renamed.body.model_id).toBe(created[0].model_id);
  });

  it('binds one conversation per chat id even when two first turns race', async () => {
    const app = await t.app.get(DataSource).getRepository(App).findOneByOrFail({ slug: 'help-desk' });
    const user = await t.app.get(EndUsersService).findOrCreate(app, 'racer');
    const conversations = t.app.get(ConversationsService);
    const externalId = `chat-${randomUUID()}`;
    const bound = await Promise.all(Array.from({ length: 4 }, () => conversations.bound(app, user, externalId, 'hi')));
    expect(new Set(bound.map((c) => c.id)).size).toBe(1);
    expect(await t.app.get(DataSource).getRepository(Conversation).countBy({ externalId })).toBe(1);
  });

  it('backfills model ids for existing apps when the migration runs, and reverts cleanly', async () => {
    const ds = t.app.get(DataSource);
    const migrationsAfter = [
      'WorkspaceApiKeys1764300000000',
      'ToolsAndAgentThoughts1764400000000',
      'Plugins1764500000000',
      'PluginStorage1764600000000',
      'PluginToolCredentials1764700000000',
      'PluginEndpoints1764800000000',
    ];
    const executed: { name: string }[] = await ds.query('SELECT name FROM migrations ORDER BY id DESC');
    // Undo everything down to (and including) this migration.
    for (const { name } of executed) {
      await ds.undoLastMigration({ transaction: 'each' });
      if (name === 'OpenAiModelIds1764250000000') break;
      expect(migrationsAfter).toContain(name);
    }
    const runner = ds.createQueryRunner();
    try {
      expect((await runner.getTable('apps'))!.findColumnByName('slug')).toBeUndefined();
      expect((await runner.getTable('conversations'))!.findColumnByName('external_id')).toBeUndefined();
    } finally {
      await runner.release();
    }
    await ds
      .createQueryBuilder()
      .update('apps')
      .set({ name: 'Café Bot' })
      .where('id IN (:...ids)', {
        ids: (await ds.createQueryBuilder().select('id').from('apps', 'a').getRawMany<{ id: string }>())
          .slice(0, 2)
          .map((row) => row.id),
      })
      .execute();
    await ds.runMigrations({ transaction: 'each' });
    expect(await ds.showMigrations()).toBe(false);
    const apps = await ds.getRepository(App).find();
    const slugs = apps.map((app) => app.slug);
    expect(new Set(slugs).size).toBe(apps.length);
    expect(slugs).toEqual(expect.arrayContaining(['cafe-bot', 'cafe-bot-2']));
  });
}

describeWith('postgres', 'OpenAI model ids and bound conversations on PostgreSQL', () => modelIdsOn('postgres'));
describeWith('mariadb', 'OpenAI model ids and bound conversations on MariaDB', () => modelIdsOn('mariadb'));
describe('OpenAI model ids and bound conversations on SQLite', () => modelIdsOn('sqlite'));
