import request from 'supertest';
import { DataSource } from 'typeorm';
import { packFiles, readPackage } from '@keel/plugin-package';
import { QueueService } from '@keel/queue';
import { manifestData, pluginFiles } from '../../libs/plugin-package/src/package-fixtures.spec-support';
import { PluginVersion } from '../../src/modules/plugins/plugin-version.entity';
import { bearer, type Session, setupOwner } from '../support/console';
import { eventually } from '../support/eventually';
import { deleteRedisKeys, uniqueRedisPrefix } from '../support/redis-keys';
import { describeWith, isAvailable } from '../support/services';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../support/test-databases';
import { bootTestApp, type TestApp } from '../support/test-app';

/**
 * The plugin lifecycle on each database, with the install job on Bull (Redis) where Redis runs:
 * concurrent uploads of one package (the unique-key race), install, list, uninstall, and the
 * migration reverted and applied again.
 */
function pluginsOn(kind: TestDatabaseKind): void {
  const prefix = uniqueRedisPrefix(`plugins-${kind}`);
  const bull = isAvailable('redis');
  let db: TestDatabase | undefined;
  let t: TestApp;
  let owner: Session;

  beforeAll(async () => {
    db = kind === 'sqlite' ? undefined : await createTestDatabase(kind);
    t = await bootTestApp({
      ...(db?.env ?? {}),
      ...(bull ? { REDIS_URL: 'redis://127.0.0.1:6379/0', REDIS_KEY_PREFIX: prefix, QUEUE_DRIVER: 'bull' } : {}),
    });
    owner = await setupOwner(t);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    if (bull) await deleteRedisKeys(prefix);
  });

  const api = (path: string) => `/console/api/workspaces/current/plugin/${path}`;

  it('uploads one package twice at once as one version, installs, lists and uninstalls it', async () => {
    const zip = await packFiles(pluginFiles({ ...manifestData(), dependencies: [] }));
    const identifier = (await readPackage(zip)).uniqueIdentifier;
    const uploads = await Promise.all(
      [1, 2, 3].map(() =>
        request(t.baseUrl).post(api('upload/pkg')).set(bearer(owner.access)).attach('pkg', zip, 'p.keelpkg'),
      ),
    );
    expect(uploads.map((r): unknown[] => [r.status, r.body.unique_identifier, r.body.verification?.status])).toEqual(
      Array(3).fill([200, identifier, 'unsigned']),
    );
    expect(await t.app.get(DataSource).getRepository(PluginVersion).countBy({ uniqueIdentifier: identifier })).toBe(1);

    const started = await request(t.baseUrl)
      .post(api('install/pkg'))
      .set(bearer(owner.access))
      .send({ plugin_unique_identifiers: [identifier] })
      .expect(200);
    let status = '';
    await eventually(async () => {
      const task = await request(t.baseUrl)
        .get(api(`tasks/${started.body.task_id}`))
        .set(bearer(owner.access));
      status = task.body.task.status as string;
      return status === 'success' || status === 'failed';
    }, 'install task finished');
    expect(status).toBe('success');
    expect(t.app.get(QueueService).driverName).toBe(bull ? 'bull' : 'inline');

    const list = await request(t.baseUrl).get(api('list')).set(bearer(owner.access)).expect(200);
    expect(list.body).toMatchObject({ total: 1, plugins: [{ plugin_unique_identifier: identifier, enabled: true }] });
    await request(t.baseUrl)
      .post(api('uninstall'))
      .set(bearer(owner.access))
      .send({ plugin_installation_id: list.body.plugins[0].installation_id })
      .expect(200);
    expect((await request(t.baseUrl).get(api('list')).set(bearer(owner.access))).body.total).toBe(0);
  });

  it('reverts and re-applies the plugin migrations', async () => {
    const ds = t.app.get(DataSource);
    const tables = async () => {
      const runner = ds.createQueryRunner();
      try {
        return await Promise.all(
          [
            'plugins',
            'plugin_installations',
            'plugin_install_tasks',
            'workspace_plugin_permissions',
            'plugin_storage',
            'plugin_tool_credentials',
            'plugin_endpoints',
          ].map((n) => runner.hasTable(n)),
        );
      } finally {
        await runner.release();
      }
    };
    const executed: { name: string }[] = await ds.query('SELECT name FROM migrations ORDER BY id DESC');
    for (const { name } of executed) {
      await ds.undoLastMigration({ transaction: 'each' });
      if (name === 'Plugins1764500000000') break;
    }
    expect(await tables()).toEqual([false, false, false, false, false, false, false]);
    await ds.runMigrations({ transaction: 'each' });
    expect(await tables()).toEqual([true, true, true, true, true, true, true]);
  });
}

describeWith('postgres', 'plugins on PostgreSQL', () => pluginsOn('postgres'));
describeWith('mariadb', 'plugins on MariaDB', () => pluginsOn('mariadb'));
describe('plugins on SQLite', () => pluginsOn('sqlite'));
