import { createServer, type Server } from 'node:http';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { MessageAgentThought } from '../../src/modules/conversations/message-agent-thought.entity';
import { bearer, type Session, setupOwner } from '../support/console';
import { createApp } from '../support/console-apps';
import { FakeOpenAiUpstream } from '../support/fake-openai-upstream';
import { configureProvider, parseSse } from '../support/service-api';
import { describeWith } from '../support/services';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../support/test-databases';
import { bootTestApp, type TestApp } from '../support/test-app';

const SCHEMA = (baseUrl: string) =>
  JSON.stringify({
    openapi: '3.0.0',
    info: { title: 'Echo', version: '1' },
    servers: [{ url: baseUrl }],
    paths: {
      '/echo': {
        get: {
          operationId: 'echo',
          summary: 'Echoes its text',
          parameters: [{ name: 'text', in: 'query', required: true, schema: { type: 'string' } }],
        },
      },
    },
  });

/**
 * What agent apps keep in the database, on each database: custom API tool providers (sealed
 * credentials), agent turns with their steps (a new conversation's first turn and a later one,
 * each written in one transaction), built-in tools in the same turn, and the migration's revert.
 */
function agentsOn(kind: TestDatabaseKind): void {
  const upstream = new FakeOpenAiUpstream({ apiKeys: ['sk-up'], models: ['gpt-4o-mini'] });
  let db: TestDatabase | undefined;
  let t: TestApp;
  let owner: Session;
  let api: Server;
  let apiUrl: string;

  beforeAll(async () => {
    api = createServer((req, res) => {
      const text = new URL(req.url!, 'http://x').searchParams.get('text');
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`echo: ${text}`);
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
    await upstream.start();
    db = kind === 'sqlite' ? undefined : await createTestDatabase(kind);
    t = await bootTestApp({ ...(db?.env ?? {}), SSRF_ALLOWLIST: '127.0.0.1/32', MODEL_REQUEST_MAX_RETRIES: '0' });
    owner = await setupOwner(t);
    await configureProvider(t, owner, { endpoint_url: upstream.baseUrl, api_key: 'sk-up' });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await upstream.stop();
    await new Promise((resolve) => api.close(resolve));
  });

  it('stores an agent turn with its steps, API and built-in tools alike, and lists them', async () => {
    const console = (path: string, body: unknown) =>
      request(t.baseUrl)
        .post(`/console/api${path}`)
        .set(bearer(owner.access))
        .send(body as object);
    await console('/workspaces/current/tool-provider/api/add', {
      provider: 'echo',
      icon: { background: '#000', content: '🔁' },
      credentials: { auth_type: 'api_key_query', api_key_query_param: 'key', api_key_value: 'k-1' },
      schema_type: 'openapi',
      schema: SCHEMA(apiUrl),
    }).expect(200);
    const app = await createApp(t, owner, { name: 'Agent', mode: 'agent-chat' });
    await console(`/apps/${app.id}/model-config`, {
      model: { provider: 'openai_api_compatible', name: 'gpt-4o-mini' },
      agent_mode: {
        enabled: true,
        tools: [
          { provider_type: 'api', provider_id: 'echo', tool_name: 'echo' },
          { provider_type: 'builtin', provider_id: 'json_process', tool_name: 'json_process' },
        ],
      },
    }).expect(200);
    const key = (await console(`/apps/${app.id}/api-keys`, {}).expect(201)).body.token as string;
    const chat = (body: Record<string, unknown>) =>
      request(t.baseUrl)
        .post('/v1/chat-messages')
        .set('Authorization', `Bearer ${key}`)
        .send({ inputs: {}, user: 'u', response_mode: 'streaming', ...body })
        .expect(200);

    const first = parseSse(
      (
        await chat({
          query:
            'Go. [[call echo {"text":"héllo"}]] [[call json_process {"content":"{\\"a\\":{\\"b\\":7}}","query":"$.a.b"}]]',
        })
      ).text,
    ).events;
    const conversationId = first[0].conversation_id as string;
    const answer = first
      .filter((e) => e.event === 'agent_message')
      .map((e) => e.answer)
      .join('');
    expect(answer).toBe('Done: echo: héllo | 7');

    const second = parseSse(
      (await chat({ query: 'Again. [[call echo {"text":"two"}]]', conversation_id: conversationId })).text,
    ).events;
    expect(second.at(-1)!.event).toBe('message_end');

    const listed = await request(t.baseUrl)
      .get(`/v1/messages?conversation_id=${conversationId}&user=u`)
      .set('Authorization', `Bearer ${key}`)
      .expect(200);
    const turns = listed.body.data as Array<{ answer: string; agent_thoughts: Array<Record<string, unknown>> }>;
    expect(turns.map((turn) => turn.agent_thoughts.map((th) => th.tool))).toEqual([
      ['echo', 'json_process', ''],
      ['echo', ''],
    ]);
    expect(JSON.parse(turns[0].agent_thoughts[0].tool_input as string)).toEqual({ echo: { text: 'héllo' } });
    expect(JSON.parse(turns[0].agent_thoughts[0].observation as string)).toEqual({ echo: 'echo: héllo' });
    expect(turns[0].agent_thoughts[0].tool_labels).toEqual({ echo: { en_US: 'echo', zh_Hans: 'echo' } });
    expect(turns[1].answer).toBe('Done: echo: two');
    expect(await t.app.get(DataSource).getRepository(MessageAgentThought).count()).toBe(5);
  });

  it('reverts and re-applies the migration', async () => {
    const ds = t.app.get(DataSource);
    const has = async (table: string) => {
      const runner = ds.createQueryRunner();
      try {
        return await runner.hasTable(table);
      } finally {
        await runner.release();
      }
    };
    // Later migrations first, then this one.
    const executed: { name: string }[] = await ds.query('SELECT name FROM migrations ORDER BY id DESC');
    for (const { name } of executed) {
      await ds.undoLastMigration({ transaction: 'each' });
      if (name === 'ToolsAndAgentThoughts1764400000000') break;
    }
    expect(await has('message_agent_thoughts')).toBe(false);
    expect(await has('tool_api_providers')).toBe(false);
    await ds.runMigrations({ transaction: 'each' });
    expect(await has('message_agent_thoughts')).toBe(true);
    expect(await ds.showMigrations()).toBe(false);
  });
}

describeWith('postgres', 'agent apps on PostgreSQL', () => agentsOn('postgres'));
describeWith('mariadb', 'agent apps on MariaDB', () => agentsOn('mariadb'));
describe('agent apps on SQLite', () => agentsOn('sqlite'));
