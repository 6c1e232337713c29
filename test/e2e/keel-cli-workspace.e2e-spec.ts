import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from '../../src/database/database.entities';
import { SEALED_COLUMNS } from '../../src/cli/sealed-columns';
import { App } from '../../src/modules/apps/app.entity';
import { PluginEndpoint } from '../../src/modules/plugins/plugin-endpoint.entity';
import { PluginToolCredential } from '../../src/modules/plugins/plugin-tool-credential.entity';
import { ApiToolProvider } from '../../src/modules/tools/api-tool-provider.entity';
import { Workspace } from '../../src/modules/workspaces/workspace.entity';
import { bearer, login, type Session, setupOwner } from '../support/console';
import { cipherUnder } from '../support/credential-cipher';
import { configureCompatibleProvider, createApp } from '../support/console-apps';
import { FakeOpenAiUpstream } from '../support/fake-openai-upstream';
import { keel, keelWith } from '../support/keel-cli';
import { parseSse } from '../support/service-api';
import { describeWith } from '../support/services';
import { bootTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-databases';

const OLD_KEY = 'old-secret-key-'.padEnd(40, 'o');
const NEW_KEY = 'new-secret-key-'.padEnd(40, 'n');
const PASSPHRASE = 'a long export passphrase';
const UPSTREAM_KEY = 'sk-upstream-live-1';
const TOOL_KEY = 'tool-secret-value-1';

const NOTES_SCHEMA = (baseUrl: string) => `
openapi: 3.0.3
info: { title: Notes API, description: The team's notes., version: "1.0" }
servers: [{ url: "${baseUrl}" }]
paths:
  /note:
    get:
      operationId: getNote
      summary: Today's note
`;

function dataSourceFor(db: TestDatabase): DataSource {
  const options: DataSourceOptions =
    db.kind === 'sqlite'
      ? { type: 'better-sqlite3', database: db.name, entities: ENTITIES }
      : { type: db.kind === 'postgres' ? 'postgres' : 'mariadb', url: db.env.DATABASE_URL, entities: ENTITIES };
  return new DataSource(options);
}

/**
 * Issue 15: `keel export` / `keel import` between two servers' databases, and `keel
 * rotate-secret-key`, on one kind of database: the apps come back with working credentials, nothing
 * is written when the file or the passphrase is wrong, and after a rotation every credential opens
 * under the new key only.
 */
function workspaceCommandsOn(kind: 'sqlite' | 'postgres'): void {
  let source: TestDatabase;
  let target: TestDatabase;
  let dir: string;
  const upstream = new FakeOpenAiUpstream({ apiKeys: [UPSTREAM_KEY] });
  let notesApi: Server;
  const notesRequests: IncomingHttpHeaders[] = [];
  let sourceWorkspace: string;
  let agentToolProviderId: string;
  const env = (db: TestDatabase, key = OLD_KEY) => ({ DATA_DIR: dir, SECRET_KEY: key, ...db.env });
  const serverEnv = (db: TestDatabase, key = OLD_KEY) => ({
    ...db.env,
    SECRET_KEY: key,
    SSRF_ALLOWLIST: '127.0.0.1/32',
    MODEL_REQUEST_MAX_RETRIES: '0',
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-cli-ws-'));
    [source, target] = await Promise.all([createTestDatabase(kind), createTestDatabase(kind)]);
    await upstream.start();
    notesApi = createServer((req, res) => {
      notesRequests.push(req.headers);
      if (req.headers['x-notes-key'] !== TOOL_KEY) res.writeHead(401).end('{"error":"no key"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"note":"water the plants"}');
    });
    await new Promise<void>((done) => notesApi.listen(0, '127.0.0.1', done));
    const notesUrl = `http://127.0.0.1:${(notesApi.address() as { port: number }).port}`;

    // The source server: a provider, an API tool provider with a secret, a chat app and an agent app.
    const t = await bootTestApp(serverEnv(source));
    try {
      const owner = await setupOwner(t);
      await configureCompatibleProvider(t, owner, upstream, UPSTREAM_KEY);
      const consolePost = (path: string, body: unknown) =>
        request(t.baseUrl)
          .post(`/console/api${path}`)
          .set(bearer(owner.access))
          .send(body as object);
      await consolePost('/workspaces/current/tool-provider/api/add', {
        provider: 'notes',
        icon: { background: '#fff', content: '📝' },
        credentials: {
          auth_type: 'api_key_header',
          api_key_header: 'X-Notes-Key',
          api_key_header_prefix: 'custom',
          api_key_value: TOOL_KEY,
        },
        schema_type: 'openapi',
        schema: NOTES_SCHEMA(notesUrl),
        labels: ['productivity'],
      }).expect(200);
      const ds = t.app.get(DataSource);
      const notes = await ds.getRepository(ApiToolProvider).findOneByOrFail({ name: 'notes' });
      agentToolProviderId = notes.id;
      sourceWorkspace = notes.workspaceId;
      const chatApp = await createApp(t, owner, { name: 'Support Bot', mode: 'chat' });
      await consolePost(`/apps/${chatApp.id}/model-config`, {
        model: { provider: 'openai_api_compatible', name: 'gpt-4o-mini', completion_params: { temperature: 0.2 } },
        pre_prompt: 'You answer support questions.',
        opening_statement: 'Hello!',
      }).expect(200);
      const agent = await createApp(t, owner, { name: 'Notes Agent', mode: 'agent-chat' });
      await consolePost(`/apps/${agent.id}/model-config`, {
        model: { provider: 'openai_api_compatible', name: 'gpt-4o-mini' },
        agent_mode: {
          enabled: true,
          strategy: 'function_call',
          tools: [{ provider_type: 'api', provider_id: notes.id, tool_name: 'getNote', tool_parameters: {} }],
        },
      }).expect(200);
      await createApp(t, owner, { name: 'Draft', mode: 'completion' });
      // Plugin credentials and endpoint settings, as the plugin services seal them (no plugin needs to run).
      const sealed = cipherUnder(OLD_KEY);
      await ds.getRepository(PluginToolCredential).insert({
        workspaceId: sourceWorkspace,
        provider: 'acme/search/search',
        encryptedCredentials: sealed.encrypt({ api_key: 'plugin-tool-secret' }),
        updatedBy: null,
        updatedAt: new Date(),
      });
      await ds.getRepository(PluginEndpoint).insert({
        id: randomUUID(),
        workspaceId: sourceWorkspace,
        pluginId: 'acme/hooks',
        hookId: randomUUID().replaceAll('-', ''),
        name: 'Deploy hook',
        encryptedSettings: sealed.encrypt({ token: 'endpoint-secret' }),
        enabled: true,
        createdBy: null,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
    } finally {
      await t.close();
    }
    // The target: a fresh database, set up from the command line.
    expect((await keel(env(target), 'migrate')).code).toBe(0);
    const setup = await keelWith('target-pass-1\n', env(target), 'create-admin', '--email', 'ops@example.com');
    expect(setup.code).toBe(0);
  });

  afterAll(async () => {
    await upstream.stop();
    await new Promise<void>((done) => notesApi?.close(() => done()));
    await Promise.all([source?.drop(), target?.drop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** `keel import` into the target database, the passphrase (by default the right one) on standard input. */
  const importInto = (workspace: string, file: string, input = `${PASSPHRASE}\n`) =>
    keelWith(input, env(target), 'import', '--workspace', workspace, '--file', file);

  async function workspaceIdOf(db: TestDatabase, name?: string): Promise<string> {
    const ds = await dataSourceFor(db).initialize();
    try {
      const rows = await ds.getRepository(Workspace).find({ order: { createdAt: 'ASC' } });
      return (name ? rows.find((w) => w.name === name)! : rows[0]).id;
    } finally {
      await ds.destroy();
    }
  }

  async function countApps(db: TestDatabase): Promise<number> {
    const ds = await dataSourceFor(db).initialize();
    try {
      return await ds.getRepository(App).count();
    } finally {
      await ds.destroy();
    }
  }

  it('exports without secrets unless asked, and then only sealed under the passphrase', async () => {
    const plain = join(dir, 'plain.json');
    const result = await keel(env(source), 'export', '--workspace', sourceWorkspace, '--output', plain);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '3 app(s), 1 model provider(s), 1 API tool provider(s), 1 plugin tool provider(s); no secrets',
    );
    const text = readFileSync(plain, 'utf8');
    for (const secret of [UPSTREAM_KEY, TOOL_KEY, 'plugin-tool-secret']) expect(text).not.toContain(secret);
    const document = JSON.parse(text);
    expect(document).toMatchObject({ format: 'keel-workspace-export', version: 1, secrets: null });
    expect(document.model_providers).toEqual([
      {
        provider: 'openai_api_compatible',
        credentials: { endpoint_url: upstream.baseUrl },
        secret_fields: ['api_key'],
      },
    ]);
    expect(document.api_tool_providers[0].credentials).toEqual({
      auth_type: 'api_key_header',
      api_key_header: 'X-Notes-Key',
      api_key_header_prefix: 'custom',
    });
    // An export never overwrites a file.
    const again = await keel(env(source), 'export', '--workspace', sourceWorkspace, '--output', plain);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');

    const sealedFile = join(dir, 'sealed.json');
    const short = await keelWith('short\n', env(source), 'export', '--workspace', sourceWorkspace, '--include-secrets');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 12 characters');
    const sealed = await keelWith(
      `${PASSPHRASE}\n`,
      env(source),
      'export',
      '--workspace',
      sourceWorkspace,
      '--include-secrets',
      '--output',
      sealedFile,
    );
    expect(sealed.code).toBe(0);
    expect(sealed.stdout).toContain('secrets sealed with the passphrase');
    const sealedText = readFileSync(sealedFile, 'utf8');
    for (const secret of [UPSTREAM_KEY, TOOL_KEY, 'plugin-tool-secret']) expect(sealedText).not.toContain(secret);
    expect(JSON.parse(sealedText).secrets).toMatchObject({ cipher: 'aes-256-gcm', kdf: 'scrypt' });
  });

  it('refuses a wrong passphrase, a broken file and a missing workspace, importing nothing', async () => {
    const targetWorkspace = await workspaceIdOf(target);
    const sealedFile = join(dir, 'sealed.json');
    const wrong = await importInto(targetWorkspace, sealedFile, 'not the passphrase\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('the passphrase does not open the secrets in this file');
    const none = await importInto(targetWorkspace, sealedFile, '');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give its passphrase on standard input');

    const broken = join(dir, 'broken.json');
    const document = JSON.parse(readFileSync(sealedFile, 'utf8'));
    document.apps[0].mode = 'spreadsheet';
    document.apps[1].model_config = { model: { provider: '', name: 'x' } };
    writeFileSync(broken, JSON.stringify(document));
    const refused = await importInto(targetWorkspace, broken);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('nothing was imported');
    expect(refused.stderr).toMatch(/apps\.0\.mode/);
    const badConfig = { ...JSON.parse(readFileSync(sealedFile, 'utf8')) };
    badConfig.apps[1].model_config = { model: { provider: '', name: 'x' } };
    writeFileSync(broken, JSON.stringify(badConfig));
    const badModel = await importInto(targetWorkspace, broken);
    expect(badModel.code).toBe(1);
    expect(badModel.stderr).toMatch(/app ".+": model_config\.model\.provider/);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{"format":');
    expect((await importInto(targetWorkspace, notJson, '')).stderr).toContain('is not JSON');
    const noWorkspace = await importInto(randomUUID(), sealedFile);
    expect(noWorkspace.code).toBe(2);
    expect(noWorkspace.stderr).toContain('no such workspace');
    expect(await countApps(target)).toBe(0);
  });

  it('imports into a fresh workspace: the apps answer through the imported provider and call the imported tool', async () => {
    const targetWorkspace = await workspaceIdOf(target);
    const imported = await importInto(targetWorkspace, join(dir, 'sealed.json'));
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(
      '3 app(s), 1 model provider(s), 1 API tool provider(s), 1 plugin tool provider(s)',
    );
    expect(imported.stdout).toContain(
      'plugins this workspace has not installed (their tools and models do not work until it does): acme/search.',
    );

    // A second import collides with what the first brought, and changes nothing.
    const twice = await importInto(targetWorkspace, join(dir, 'sealed.json'));
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('the workspace already has API tool provider notes');
    expect(await countApps(target)).toBe(3);

    const t = await bootTestApp(serverEnv(target));
    try {
      const ops: Session = await login(t, 'ops@example.com', 'target-pass-1');
      const get = (path: string) => request(t.baseUrl).get(`/console/api${path}`).set(bearer(ops.access));
      const post = (path: string, body: object) =>
        request(t.baseUrl).post(`/console/api${path}`).set(bearer(ops.access)).send(body);
      const apps = (await get('/apps?page=1&limit=20').expect(200)).body.data as Array<{
        id: string;
        name: string;
        mode: string;
      }>;
      expect(apps.map((a) => [a.name, a.mode]).sort()).toEqual([
        ['Draft', 'completion'],
        ['Notes Agent', 'agent-chat'],
        ['Support Bot', 'chat'],
      ]);
      const support = apps.find((a) => a.name === 'Support Bot')!;
      const detail = (await get(`/apps/${support.id}`).expect(200)).body;
      expect(detail.model_config).toMatchObject({
        model: { provider: 'openai_api_compatible', name: 'gpt-4o-mini', completion_params: { temperature: 0.2 } },
        pre_prompt: 'You answer support questions.',
        opening_statement: 'Hello!',
      });
      const supportKey = (await post(`/apps/${support.id}/api-keys`, {}).expect(201)).body.token as string;
      const answer = await request(t.baseUrl)
        .post('/v1/chat-messages')
        .set('Authorization', `Bearer ${supportKey}`)
        .send({ inputs: {}, query: 'ping', user: 'u-1', response_mode: 'blocking' })
        .expect(200);
      expect(answer.body.answer).toBe('You said: ping');

      // The agent's tool follows the provider to its new id, and the tool's secret came along.
      const agent = apps.find((a) => a.name === 'Notes Agent')!;
      const agentConfig = (await get(`/apps/${agent.id}`).expect(200)).body.model_config;
      const newProvider = await t.app.get(DataSource).getRepository(ApiToolProvider).findOneByOrFail({ name: 'notes' });
      expect(newProvider.id).not.toBe(agentToolProviderId);
      expect(agentConfig.agent_mode.tools[0].provider_id).toBe(newProvider.id);
      const agentKey = (await post(`/apps/${agent.id}/api-keys`, {}).expect(201)).body.token as string;
      notesRequests.length = 0;
      const run = await request(t.baseUrl)
        .post('/v1/chat-messages')
        .set('Authorization', `Bearer ${agentKey}`)
        .send({ inputs: {}, query: 'What is the note? [[call getNote]]', user: 'u-1', response_mode: 'streaming' })
        .expect(200);
      expect(parseSse(run.text).events.some((e) => e.event === 'agent_thought' && e.tool === 'getNote')).toBe(true);
      expect(notesRequests.map((h) => h['x-notes-key'])).toEqual([TOOL_KEY]);
    } finally {
      await t.close();
    }
  });

  it('imports an export without secrets, leaving out and naming what needs them', async () => {
    const ds = await dataSourceFor(target).initialize();
    const second = randomUUID();
    try {
      await ds
        .getRepository(Workspace)
        .insert({ id: second, name: 'Second', status: 'normal', createdAt: new Date(), updatedAt: new Date() });
    } finally {
      await ds.destroy();
    }
    const result = await importInto(second, join(dir, 'plain.json'), '');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('3 app(s), 0 model provider(s), 0 API tool provider(s), 0 plugin tool provider(s)');
    expect(result.stdout).toContain('model provider openai_api_compatible left out: its api_key is a secret');
    expect(result.stdout).toContain('API tool provider "notes" left out');
    const check = await dataSourceFor(target).initialize();
    try {
      const agent = await check.getRepository(App).findOneByOrFail({ workspaceId: second, name: 'Notes Agent' });
      // Named, so adding the provider again in the console makes the agent's tool work.
      expect(agent.modelConfig?.agent_mode.tools[0].provider_id).toBe('notes');
      // The model ids were free in this workspace too.
      expect((await check.getRepository(App).findBy({ workspaceId: second })).map((a) => a.slug).sort()).toEqual([
        'draft',
        'notes-agent',
        'support-bot',
      ]);
    } finally {
      await check.destroy();
    }

    // Into the workspace that has the providers already: what is left out cannot collide, and the
    // apps' model ids, taken there, are numbered.
    const again = await importInto(await workspaceIdOf(target), join(dir, 'plain.json'), '');
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('app "Support Bot": model id support-bot is taken here, it is support-bot-2.');
  });

  it('rotate-secret-key re-encrypts every credential: the new key opens them all, the old one none', async () => {
    const ds = await dataSourceFor(source).initialize();
    const read = async () => {
      const values: { table: string; sealed: string }[] = [];
      for (const column of SEALED_COLUMNS) {
        const meta = ds.getMetadata(column.entity);
        for (const row of await ds.getRepository(column.entity).find()) {
          values.push({ table: meta.tableName, sealed: row[column.property] as string });
        }
      }
      return values;
    };
    try {
      const before = await read();
      expect(before.map((v) => v.table).sort()).toEqual([
        'plugin_endpoints',
        'plugin_tool_credentials',
        'provider_credentials',
        'tool_api_providers',
      ]);
      const plainBefore = before.map((v) => cipherUnder(OLD_KEY).decrypt(v.sealed));

      const dry = await keel(env(source), 'rotate-secret-key', '--dry-run');
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain('All 4 stored credential(s) decrypt with the current SECRET_KEY');
      const weak = await keelWith('too-short\n', env(source), 'rotate-secret-key');
      expect(weak.code).toBe(2);
      expect(weak.stderr).toContain('at least 32 characters');
      expect(await read()).toEqual(before);

      const rotated = await keelWith(`${NEW_KEY}\n`, env(source), 'rotate-secret-key');
      expect(rotated.stderr).toBe('');
      expect(rotated.code).toBe(0);
      expect(rotated.stdout).toContain('Re-encrypted 4 stored credential(s)');
      expect(rotated.stdout).toContain('Set SECRET_KEY to the new key');
      expect(rotated.stdout).not.toContain(NEW_KEY);

      const after = await read();
      expect(after.map((v) => cipherUnder(NEW_KEY).decrypt(v.sealed))).toEqual(plainBefore);
      for (const value of after) expect(() => cipherUnder(OLD_KEY).decrypt(value.sealed)).toThrow();

      // Run again under the old key: nothing opens, so nothing is touched.
      const stale = await keelWith(`${'x'.repeat(40)}\n`, env(source), 'rotate-secret-key');
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain('4 value(s) do not decrypt with the current SECRET_KEY');
      expect(stale.stderr).toContain('Nothing was changed');
      expect(await read()).toEqual(after);
    } finally {
      await ds.destroy();
    }

    // The server under the new key reads the rotated provider credentials.
    const t = await bootTestApp(serverEnv(source, NEW_KEY));
    try {
      const owner = await login(t, 'owner@example.com', 'owner-pass-1');
      const creds = await request(t.baseUrl)
        .get('/console/api/workspaces/current/model-providers/openai_api_compatible/credentials')
        .set(bearer(owner.access))
        .expect(200);
      expect(creds.body.credentials.endpoint_url).toBe(upstream.baseUrl);
    } finally {
      await t.close();
    }
  });
}

describe('keel export, import and rotate-secret-key', () => {
  describe('on SQLite', () => workspaceCommandsOn('sqlite'));
  describeWith('postgres', 'on PostgreSQL', () => workspaceCommandsOn('postgres'));

  it('rotates a key kept under DATA_DIR in place, without printing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-cli-key-'));
    try {
      const env = { DATA_DIR: dir };
      expect((await keel(env, 'migrate')).code).toBe(0);
      const keyFile = join(dir, 'secret-key');
      const oldKey = readFileSync(keyFile, 'utf8').trim();
      const ds = await new DataSource({
        type: 'better-sqlite3',
        database: join(dir, 'keel.sqlite'),
        entities: ENTITIES,
      }).initialize();
      try {
        const workspaceId = randomUUID();
        await ds
          .getRepository(Workspace)
          .insert({ id: workspaceId, name: 'W', status: 'normal', createdAt: new Date(), updatedAt: new Date() });
        await ds.getRepository(PluginToolCredential).insert({
          workspaceId,
          provider: 'acme/search/search',
          encryptedCredentials: cipherUnder(oldKey).encrypt({ api_key: 'k' }),
          updatedBy: null,
          updatedAt: new Date(),
        });
        const result = await keel(env, 'rotate-secret-key', '--generate');
        expect(result.code).toBe(0);
        expect(result.stdout).toContain('The new key replaced the one under DATA_DIR');
        const newKey = readFileSync(keyFile, 'utf8').trim();
        expect(newKey).not.toBe(oldKey);
        expect(newKey.length).toBeGreaterThanOrEqual(32);
        expect(result.stdout).not.toContain(newKey);
        expect(existsSync(`${keyFile}.next`)).toBe(false);
        const row = await ds.getRepository(PluginToolCredential).findOneByOrFail({ workspaceId });
        expect(cipherUnder(newKey).decrypt(row.encryptedCredentials)).toEqual({ api_key: 'k' });
      } finally {
        await ds.destroy();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
