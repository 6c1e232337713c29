import { createServer, type IncomingMessage, type Server } from 'node:http';
import OpenAI from 'openai';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditLog } from '../../src/modules/audit/audit-log.entity';
import { Message } from '../../src/modules/conversations/message.entity';
import { MessageAgentThought } from '../../src/modules/conversations/message-agent-thought.entity';
import { ApiToolProvider } from '../../src/modules/tools/api-tool-provider.entity';
import { bearer, type Session, setupOwner } from '../support/console';
import { createApp } from '../support/console-apps';
import { FakeOpenAiUpstream } from '../support/fake-openai-upstream';
import { eventually } from '../support/eventually';
import { configureProvider, parseSse, readRest, readUntil } from '../support/service-api';
import { bootTestApp, type TestApp } from '../support/test-app';

/** A small API on loopback that the agent's tools call, recording what it received. */
interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const REPORT = Buffer.from('%PDF-1.4\n% a tiny report\n%%EOF\n');

const SCHEMA = (baseUrl: string) => `
openapi: 3.0.3
info:
  title: Office API
  description: Weather and tickets for the office.
  version: "1.0"
servers:
  - url: ${baseUrl}
paths:
  /weather/{city}:
    get:
      operationId: getWeather
      summary: The weather in a city
      parameters:
        - name: city
          in: path
          required: true
          description: The city
          schema: { type: string }
        - name: units
          in: query
          required: false
          description: metric or imperial
          schema: { type: string }
  /tickets:
    post:
      operationId: createTicket
      summary: Opens a ticket
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Ticket'
  /broken:
    get:
      operationId: alwaysFails
      summary: Answers 500
  /slow:
    get:
      operationId: waitForever
      summary: Never answers
  /report:
    get:
      operationId: getReport
      summary: A PDF report, as an attachment
components:
  schemas:
    Ticket:
      type: object
      required: [title]
      properties:
        title: { type: string, description: The ticket's title }
        priority: { type: integer, description: 1 to 3 }
`;

/**
 * Issue 11's acceptance: a custom API tool provider imported from an OpenAPI schema served on
 * loopback (allowlisted), an agent app using two of its operations, and conversations where the
 * fake upstream asks for both tools in turn — natively and through ReAct; the SSRF guard refusing a
 * schema URL outside the allowlist.
 */
describe('Agent apps with custom API tools', () => {
  const upstream = new FakeOpenAiUpstream({ apiKeys: ['sk-up'], models: ['gpt-4o-mini'] });
  const received: Received[] = [];
  /** Requests to `/slow`, held open until the suite ends. */
  const slowRequests: import('node:http').ServerResponse[] = [];
  let api: Server;
  let apiUrl: string;
  let t: TestApp;
  let owner: Session;
  let providerId: string;

  const consolePost = (path: string, body: unknown) =>
    request(t.baseUrl)
      .post(`/console/api${path}`)
      .set(bearer(owner.access))
      .send(body as object);
  const consoleGet = (path: string) => request(t.baseUrl).get(`/console/api${path}`).set(bearer(owner.access));
  const chat = (key: string, body: Record<string, unknown>) =>
    request(t.baseUrl)
      .post('/v1/chat-messages')
      .set('Authorization', `Bearer ${key}`)
      .send({ inputs: {}, user: 'u-1', response_mode: 'streaming', ...body });

  /** An agent app on the provider's tools, with an app key. */
  async function agentApp(strategy: 'function_call' | 'react', extra: Record<string, unknown> = {}) {
    const app = await createApp(t, owner, { name: `Agent ${strategy} ${Date.now()}`, mode: 'agent-chat' });
    const tool = (name: string) => ({
      provider_type: 'api',
      provider_id: providerId,
      tool_name: name,
      tool_parameters: {},
    });
    await consolePost(`/apps/${app.id}/model-config`, {
      model: { provider: 'openai_api_compatible', name: 'gpt-4o-mini', completion_params: {} },
      pre_prompt: 'You help the office.',
      agent_mode: {
        enabled: true,
        strategy,
        tools: [tool('getWeather'), tool('createTicket'), tool('alwaysFails'), tool('waitForever'), tool('getReport')],
        max_iteration: 5,
        ...extra,
      },
    }).expect(200);
    const key = await consolePost(`/apps/${app.id}/api-keys`, {}).expect(201);
    return { id: app.id, key: key.body.token as string };
  }

  const BOTH_TOOLS =
    'Check Paris and open a ticket. [[call getWeather {"city":"Paris","units":"metric"}]] ' +
    '[[call createTicket {"title":"Umbrellas","priority":2}]]';

  beforeAll(async () => {
    api = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        if (req.headers['x-api-key'] !== 'secret-key') {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"no key"}');
        } else if (req.url?.startsWith('/weather/')) {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"sky":"rain","celsius":12}');
        } else if (req.url === '/report') {
          res
            .writeHead(200, {
              'content-type': 'application/pdf',
              'content-disposition': 'attachment; filename="q3.pdf"',
            })
            .end(REPORT);
        } else if (req.url === '/slow') {
          slowRequests.push(res);
        } else if (req.url === '/tickets') {
          res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"T-1"}');
        } else {
          res.writeHead(500, { 'content-type': 'text/plain' }).end('database on fire');
        }
      });
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
    await upstream.start();
    t = await bootTestApp({ SSRF_ALLOWLIST: '127.0.0.1/32', MODEL_REQUEST_MAX_RETRIES: '0' });
    owner = await setupOwner(t);
    await configureProvider(t, owner, { endpoint_url: upstream.baseUrl, api_key: 'sk-up' });
  });

  afterAll(async () => {
    await t?.close();
    await upstream.stop();
    for (const res of slowRequests) res.destroy();
    await new Promise((resolve) => api.close(resolve));
  });

  beforeEach(() => {
    received.length = 0;
  });

  it('previews a schema: one tool per operation, parameters from path, query and the $ref body', async () => {
    const res = await consolePost('/workspaces/current/tool-provider/api/schema', { schema: SCHEMA(apiUrl) }).expect(
      200,
    );
    expect(res.body.schema_type).toBe('openapi');
    const ops = res.body.parameters_schema as Array<Record<string, unknown>>;
    expect(ops.map((op) => [op.operation_id, op.method, op.server_url])).toEqual([
      ['getWeather', 'get', `${apiUrl}/weather/{city}`],
      ['createTicket', 'post', `${apiUrl}/tickets`],
      ['alwaysFails', 'get', `${apiUrl}/broken`],
      ['waitForever', 'get', `${apiUrl}/slow`],
      ['getReport', 'get', `${apiUrl}/report`],
    ]);
    const names = (op: Record<string, unknown>) =>
      (op.parameters as Array<{ name: string; type: string; required: boolean }>).map((p) => [
        p.name,
        p.type,
        p.required,
      ]);
    expect(names(ops[0])).toEqual([
      ['city', 'string', true],
      ['units', 'string', false],
    ]);
    expect(names(ops[1])).toEqual([
      ['title', 'string', true],
      ['priority', 'number', false],
    ]);
    expect(received).toEqual([]);
  });

  it('refuses a malformed schema with 400 naming the problem, and stores nothing', async () => {
    const res = await consolePost('/workspaces/current/tool-provider/api/add', {
      provider: 'broken',
      icon: { background: '#fff', content: '🔧' },
      credentials: { auth_type: 'none' },
      schema_type: 'openapi',
      schema: 'openapi: 3.0.0\npaths:\n  /x: [unclosed',
    }).expect(400);
    expect(res.body.code).toBe('invalid_param');
    expect(res.body.message).toMatch(/line \d+/i);
    expect(await t.app.get(DataSource).getRepository(ApiToolProvider).countBy({ name: 'broken' })).toBe(0);
  });

  it('imports the schema with header credentials: sealed at rest, masked on read, audited', async () => {
    await consolePost('/workspaces/current/tool-provider/api/add', {
      provider: 'office',
      icon: { background: '#fff', content: '🏢' },
      credentials: {
        auth_type: 'api_key_header',
        api_key_header: 'X-Api-Key',
        api_key_header_prefix: 'custom',
        api_key_value: 'secret-key',
      },
      schema_type: 'openapi',
      schema: SCHEMA(apiUrl),
      labels: ['office'],
    }).expect(200);
    const row = await t.app.get(DataSource).getRepository(ApiToolProvider).findOneByOrFail({ name: 'office' });
    providerId = row.id;
    expect(row.encryptedCredentials).not.toContain('secret-key');

    const got = await consoleGet('/workspaces/current/tool-provider/api/get?provider=office').expect(200);
    expect(got.body.credentials.api_key_value).not.toBe('secret-key');
    expect(got.body.credentials.api_key_value).toMatch(/\*/);
    expect(got.body.description).toBe('Weather and tickets for the office.');

    const list = await consoleGet('/workspaces/current/tool-providers').expect(200);
    const kinds = (list.body as Array<{ type: string; name: string }>).map((p) => `${p.type}:${p.name}`);
    expect(kinds).toContain('api:office');
    expect(kinds.filter((k) => k.startsWith('builtin:')).length).toBeGreaterThanOrEqual(1);

    const audit = await t.app.get(DataSource).getRepository(AuditLog).findBy({ action: 'tool_provider.created' });
    expect(audit.map((a) => a.targetId)).toContain(row.id);
  });

  it('an update that sends the masked secret back keeps the saved one', async () => {
    const got = await consoleGet('/workspaces/current/tool-provider/api/get?provider=office').expect(200);
    await consolePost('/workspaces/current/tool-provider/api/update', {
      provider: 'office',
      original_provider: 'office',
      icon: got.body.icon,
      credentials: got.body.credentials,
      schema_type: 'openapi',
      schema: SCHEMA(apiUrl),
      privacy_policy: '',
      custom_disclaimer: '',
    }).expect(200);
    const test = await consolePost('/workspaces/current/tool-provider/api/test/pre', {
      tool_name: 'getWeather',
      provider_name: 'office',
      credentials: got.body.credentials,
      parameters: { city: 'Oslo' },
      schema_type: 'openapi',
      schema: SCHEMA(apiUrl),
    }).expect(200);
    expect(test.body).toEqual({ result: expect.stringContaining('rain') });
    expect(received.at(-1)).toMatchObject({ method: 'GET', url: '/weather/Oslo' });
    expect(received.at(-1)!.headers['x-api-key']).toBe('secret-key');
  });

  it('function_call: the model calls both tools in turn; the SSE stream and /v1/messages carry the thoughts', async () => {
    const app = await agentApp('function_call');
    const res = await chat(app.key, { query: BOTH_TOOLS }).expect(200);
    const { events } = parseSse(res.text);

    // The loopback API got exactly what the operations describe, with the auth header.
    expect(received.map((r) => [r.method, r.url])).toEqual([
      ['GET', '/weather/Paris?units=metric'],
      ['POST', '/tickets'],
    ]);
    expect(received.every((r) => r.headers['x-api-key'] === 'secret-key')).toBe(true);
    expect(JSON.parse(received[1].body)).toEqual({ title: 'Umbrellas', priority: 2 });
    expect(received[1].headers['content-type']).toMatch(/^application\/json/);

    // The model was offered the tools, and read their results.
    const toolCalls = upstream.calls.slice(-3);
    expect(toolCalls[0].body.tools?.map((tool) => tool.function.name)).toEqual([
      'getWeather',
      'createTicket',
      'alwaysFails',
      'waitForever',
      'getReport',
    ]);
    expect(toolCalls[2].body.messages.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual([
      '{"sky":"rain","celsius":12}',
      '{"id":"T-1"}',
    ]);

    const kinds = events.map((e) => e.event);
    expect(kinds.at(-1)).toBe('message_end');
    expect(kinds.filter((k) => k === 'message')).toEqual([]);
    const thoughts = events.filter((e) => e.event === 'agent_thought');
    const done = thoughts.filter((e) => e.observation !== '');
    expect(done.map((e) => [e.position, e.tool, JSON.parse(e.tool_input as string) as unknown])).toEqual([
      [1, 'getWeather', { getWeather: { city: 'Paris', units: 'metric' } }],
      [2, 'createTicket', { createTicket: { title: 'Umbrellas', priority: 2 } }],
    ]);
    expect(JSON.parse(done[0].observation as string)).toEqual({ getWeather: '{"sky":"rain","celsius":12}' });
    const answer = events
      .filter((e) => e.event === 'agent_message')
      .map((e) => e.answer)
      .join('');
    expect(answer).toBe('Done: {"sky":"rain","celsius":12} | {"id":"T-1"}');
    const messageId = events[0].message_id as string;
    const conversationId = events[0].conversation_id as string;
    expect(events.every((e) => e.message_id === messageId)).toBe(true);

    const messages = await request(t.baseUrl)
      .get(`/v1/messages?conversation_id=${conversationId}&user=u-1`)
      .set('Authorization', `Bearer ${app.key}`)
      .expect(200);
    const [stored] = messages.body.data;
    expect(stored.id).toBe(messageId);
    expect(stored.answer).toBe(answer);
    expect(
      (stored.agent_thoughts as Array<Record<string, unknown>>).map((th) => [th.position, th.tool, th.message_id]),
    ).toEqual([
      [1, 'getWeather', messageId],
      [2, 'createTicket', messageId],
      [3, '', messageId],
    ]);
    expect(stored.agent_thoughts[2].thought).toBe(answer);
    expect(JSON.parse(stored.agent_thoughts[1].observation)).toEqual({ createTicket: '{"id":"T-1"}' });
  });

  it('/v1/meta gives the icons of the app’s tools', async () => {
    const app = await agentApp('function_call');
    const meta = await request(t.baseUrl).get('/v1/meta').set('Authorization', `Bearer ${app.key}`).expect(200);
    const icon = { background: '#fff', content: '🏢' };
    expect(meta.body).toEqual({
      tool_icons: { getWeather: icon, createTicket: icon, alwaysFails: icon, waitForever: icon, getReport: icon },
    });
  });

  it('a failing tool is an observation the model reads, not a failed request', async () => {
    const app = await agentApp('function_call');
    const res = await chat(app.key, { query: 'Try it. [[call alwaysFails {}]] [[call noSuchTool {}]]' }).expect(200);
    const { events } = parseSse(res.text);
    expect(events.at(-1)!.event).toBe('message_end');
    const observations = events
      .filter((e) => e.event === 'agent_thought' && e.observation !== '')
      .map((e) => JSON.parse(e.observation as string) as Record<string, string>);
    expect(observations[0].alwaysFails).toMatch(/500/);
    expect(observations[0].alwaysFails).toMatch(/database on fire/);
    expect(observations[1].noSuchTool).toMatch(/no tool named "noSuchTool"/);
  });

  it('a binary result is stored as the end user’s file and referenced by id', async () => {
    const app = await agentApp('function_call');
    const res = await chat(app.key, { query: 'Report please. [[call getReport {}]]' }).expect(200);
    const { events } = parseSse(res.text);
    const step = events.find((e) => e.event === 'agent_thought' && e.observation !== '')!;
    const [fileId] = step.message_files as string[];
    expect(fileId).toMatch(/^[0-9a-f-]{36}$/);
    expect((JSON.parse(step.observation as string) as Record<string, string>).getReport).toContain(
      `/v1/files/${fileId}/preview`,
    );
    const preview = await request(t.baseUrl)
      .get(`/v1/files/${fileId}/preview?user=u-1`)
      .set('Authorization', `Bearer ${app.key}`)
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(preview.headers['content-type']).toMatch(/^application\/pdf/);
    expect(Buffer.compare(preview.body as Buffer, REPORT)).toBe(0);
    // Another end user of the app cannot read it.
    await request(t.baseUrl)
      .get(`/v1/files/${fileId}/preview?user=someone-else`)
      .set('Authorization', `Bearer ${app.key}`)
      .expect(404);
  });

  it('stopping a turn while a tool runs ends it as stopped, with the step so far stored', async () => {
    const app = await agentApp('function_call');
    const res = await fetch(`${t.baseUrl}/v1/chat-messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${app.key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        inputs: {},
        user: 'u-1',
        response_mode: 'streaming',
        query: 'Wait. [[call waitForever {}]]',
      }),
    });
    const { events, reader } = await readUntil(res, (e) => e.event === 'agent_thought' && e.tool === 'waitForever');
    await eventually(() => slowRequests.length > 0, 'the tool call reaching the API');
    const taskId = events[0].task_id as string;
    await request(t.baseUrl)
      .post(`/v1/chat-messages/${taskId}/stop`)
      .set('Authorization', `Bearer ${app.key}`)
      .send({ user: 'u-1' })
      .expect(200);
    const rest = parseSse(await readRest(reader)).events;
    expect(rest.at(-1)!.event).toBe('message_end');
    const messages = t.app.get(DataSource).getRepository(Message);
    const id = events[0].message_id as string;
    await eventually(async () => (await messages.countBy({ id })) === 1, 'the turn being stored');
    const stored = await messages.findOneByOrFail({ id });
    expect(stored.status).toBe('stopped');
    const steps = await t.app.get(DataSource).getRepository(MessageAgentThought).findBy({ messageId: stored.id });
    expect(steps.map((step) => [step.tool, step.observation])).toEqual([['waitForever', '']]);
  });

  it('react: a model without native tool calls uses the tools through Thought/Action/Observation', async () => {
    const app = await agentApp('react');
    const res = await chat(app.key, { query: BOTH_TOOLS }).expect(200);
    const { events } = parseSse(res.text);
    expect(received.map((r) => [r.method, r.url])).toEqual([
      ['GET', '/weather/Paris?units=metric'],
      ['POST', '/tickets'],
    ]);
    const calls = upstream.calls.slice(-3);
    expect(calls.every((call) => call.body.tools === undefined)).toBe(true);
    expect(calls[0].body.stop).toEqual(['Observation:']);
    expect(String(calls[0].body.messages[0].content)).toContain('You help the office.');
    expect(String(calls[0].body.messages[0].content)).toContain('getWeather');
    const answer = events
      .filter((e) => e.event === 'agent_message')
      .map((e) => e.answer)
      .join('');
    expect(answer).toBe('Done: {"sky":"rain","celsius":12} | {"id":"T-1"}');
    const done = events.filter((e) => e.event === 'agent_thought' && e.observation !== '');
    expect(done.map((e) => e.tool)).toEqual(['getWeather', 'createTicket']);
  });

  it('max_iteration: after the last allowed round the model answers without tools', async () => {
    const app = await agentApp('function_call', { max_iteration: 1 });
    const res = await chat(app.key, { query: BOTH_TOOLS }).expect(200);
    const { events } = parseSse(res.text);
    expect(received.map((r) => r.url)).toEqual(['/weather/Paris?units=metric']);
    const last = upstream.calls.at(-1)!;
    expect(last.body.tools).toBeUndefined();
    expect(last.body.messages.at(-1)).toMatchObject({ role: 'system', content: expect.stringMatching(/answer now/i) });
    expect(events.at(-1)!.event).toBe('message_end');
    expect(events.filter((e) => e.event === 'agent_message').length).toBeGreaterThan(0);
  });

  it('blocking mode on an agent app is Dify’s 400', async () => {
    const app = await agentApp('function_call');
    const res = await chat(app.key, { query: 'hi', response_mode: 'blocking' }).expect(400);
    expect(res.body).toEqual({
      code: 'invalid_param',
      message: 'Agent Chat App does not support blocking mode',
      status: 400,
    });
  });

  it('the OpenAI-compatible face serves the agent app: the answer streams, the tool steps stay inside', async () => {
    const app = await agentApp('function_call');
    const models = await request(t.baseUrl).get('/v1/models').set('Authorization', `Bearer ${app.key}`).expect(200);
    const model = models.body.data[0].id as string;
    const client = new OpenAI({ apiKey: app.key, baseURL: `${t.baseUrl}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model,
      stream: true,
      messages: [{ role: 'user', content: BOTH_TOOLS }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Done: {"sky":"rain","celsius":12} | {"id":"T-1"}');
    expect(received.map((r) => r.url)).toEqual(['/weather/Paris?units=metric', '/tickets']);
  });

  it('an agent app referring to a tool that does not exist is refused when configured', async () => {
    const app = await createApp(t, owner, { name: 'Agent bad tool', mode: 'agent-chat' });
    const res = await consolePost(`/apps/${app.id}/model-config`, {
      model: { provider: 'openai_api_compatible', name: 'gpt-4o-mini' },
      agent_mode: {
        enabled: true,
        tools: [{ provider_type: 'api', provider_id: providerId, tool_name: 'deleteEverything' }],
      },
    }).expect(400);
    expect(res.body.message).toMatch(/agent_mode\.tools\.0/);
  });

  it('schema import from a loopback URL outside the allowlist is 400 ssrf_blocked; inside it works', async () => {
    const schemaServer = createServer((_req, res) => res.writeHead(200).end(SCHEMA(apiUrl)));
    await new Promise<void>((resolve) => schemaServer.listen(0, '127.0.0.1', resolve));
    const port = (schemaServer.address() as { port: number }).port;
    let connections = 0;
    schemaServer.on('connection', () => connections++);
    try {
      const blocked = await consoleGet(
        `/workspaces/current/tool-provider/api/remote?url=${encodeURIComponent(`http://127.0.0.2:${port}/openapi.yaml`)}`,
      ).expect(400);
      expect(blocked.body.code).toBe('ssrf_blocked');
      expect(blocked.body.message).toMatch(/127\.0\.0\.2/);
      expect(connections).toBe(0);

      const allowed = await consoleGet(
        `/workspaces/current/tool-provider/api/remote?url=${encodeURIComponent(`http://127.0.0.1:${port}/openapi.yaml`)}`,
      ).expect(200);
      expect(allowed.body.schema).toBe(SCHEMA(apiUrl));
    } finally {
      await new Promise((resolve) => schemaServer.close(resolve));
    }
  });

  it('lists the built-in providers with their tools, and serves their icons without a login', async () => {
    const list = await consoleGet('/workspaces/current/tool-providers?type=builtin').expect(200);
    const builtins = list.body as Array<{ name: string; icon: string; tools: Array<{ name: string }> }>;
    expect(builtins.map((p) => [p.name, p.tools.map((tool) => tool.name)])).toEqual([
      ['time', ['current_time']],
      ['http', ['http_request']],
      ['webscraper', ['webpage_to_text']],
      ['json_process', ['json_process']],
    ]);
    const icon = await fetch(`${t.baseUrl}${builtins[0].icon}`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await icon.text()).toContain('<svg');
    await request(t.baseUrl).get('/console/api/workspaces/current/tool-provider/builtin/nope/icon').expect(404);
    const tools = await consoleGet('/workspaces/current/tool-provider/builtin/time/tools').expect(200);
    const [currentTime] = tools.body as Array<{ parameters: Array<{ name: string }>; parameters_json_schema: unknown }>;
    expect(currentTime.parameters.map((p) => p.name)).toEqual(['timezone', 'format']);
    expect(currentTime.parameters_json_schema).toMatchObject({
      type: 'object',
      properties: { timezone: { type: 'string' }, format: { type: 'string' } },
    });
  });

  it('a built-in HTTP tool goes through the guard: the model learns a private address is blocked', async () => {
    const app = await createApp(t, owner, { name: 'Fetcher', mode: 'agent-chat' });
    await consolePost(`/apps/${app.id}/model-config`, {
      model: { provider: 'openai_api_compatible', name: 'gpt-4o-mini' },
      agent_mode: {
        enabled: true,
        tools: [{ provider_type: 'builtin', provider_id: 'http', tool_name: 'http_request' }],
      },
    }).expect(200);
    const key = (await consolePost(`/apps/${app.id}/api-keys`, {}).expect(201)).body.token as string;
    const res = await chat(key, {
      query: `[[call http_request {"method":"GET","url":"http://169.254.169.254/latest/meta-data"}]] [[call http_request {"method":"GET","url":"${apiUrl}/weather/Rome"}]]`,
    }).expect(200);
    const observations = parseSse(res.text)
      .events.filter((e) => e.event === 'agent_thought' && e.observation !== '')
      .map((e) => (JSON.parse(e.observation as string) as Record<string, string>).http_request);
    expect(observations[0]).toMatch(/blocked/i);
    expect(observations[0]).toMatch(/169\.254\.169\.254/);
    // The allowlisted loopback API answers (401: the built-in tool carries no API key).
    expect(observations[1]).toMatch(/401/);
    expect(received.map((r) => r.url)).toEqual(['/weather/Rome']);
  });

  it('deleting the provider is audited, and its agent apps run on without its tools', async () => {
    const app = await agentApp('function_call');
    await consolePost('/workspaces/current/tool-provider/api/delete', { provider: 'office' }).expect(200);
    await consoleGet('/workspaces/current/tool-provider/api/get?provider=office').expect(404);
    const res = await chat(app.key, { query: 'hello' }).expect(200);
    const { events } = parseSse(res.text);
    expect(events.at(-1)!.event).toBe('message_end');
    expect(upstream.calls.at(-1)!.body.tools).toBeUndefined();
    const audit = await t.app.get(DataSource).getRepository(AuditLog).findBy({ action: 'tool_provider.deleted' });
    expect(audit).toHaveLength(1);
  });
});
