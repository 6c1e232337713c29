import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppApiKey } from '../../src/modules/apps/app-api-key.entity';
import { App } from '../../src/modules/apps/app.entity';
import { Conversation } from '../../src/modules/conversations/conversation.entity';
import { EndUser } from '../../src/modules/conversations/end-user.entity';
import { Message } from '../../src/modules/conversations/message.entity';
import { addMember, bearer, login, type Session, seedWorkspace, setupOwner } from '../support/console';
import { configureCompatibleProvider, createApp, seedConversation, type WireApp } from '../support/console-apps';
import { FakeOpenAiUpstream } from '../support/fake-openai-upstream';
import { describeWith } from '../support/services';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../support/test-databases';
import { bootTestApp, type TestApp } from '../support/test-app';

const APPS = '/console/api/apps';
const UPSTREAM_KEY = 'sk-upstream-key-1234';
const MISSING = '00000000-0000-4000-8000-000000000000';

const idsOf = (body: { data: Array<{ id: string }> }) => body.data.map((row) => row.id);
const namesOf = (body: { data: WireApp[] }) => body.data.map((app) => app.name);
const queriesOf = (body: { data: Array<{ query: string }> }) => body.data.map((message) => message.query);

const appRow = (t: TestApp, id: string) => t.app.get(DataSource).getRepository(App).findOneBy({ id });

/** Backdates apps so that "newest first" does not depend on how fast the requests ran. */
async function spreadCreation(t: TestApp, ids: string[]): Promise<void> {
  const repo = t.app.get(DataSource).getRepository(App);
  for (const [i, id] of ids.entries()) {
    await repo.update({ id }, { createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) });
  }
}

/** Apps in the console: CRUD, listing, model configuration, the API switch, logs, roles, isolation. */
describe('console apps', () => {
  const upstream = new FakeOpenAiUpstream({ apiKeys: [UPSTREAM_KEY], models: ['gpt-4o-mini', 'llama3'] });
  let t: TestApp;
  let owner: Session;
  let editor: Session;
  let normal: Session;
  let operator: Session;

  beforeAll(async () => {
    await upstream.start();
    t = await bootTestApp({ MODEL_REQUEST_MAX_RETRIES: '0' });
    owner = await setupOwner(t);
    editor = await addMember(t, owner, 'editor@example.com', 'editor');
    normal = await addMember(t, owner, 'normal@example.com', 'normal');
    operator = await addMember(t, owner, 'operator@example.com', 'dataset_operator');
    await configureCompatibleProvider(t, owner, upstream, UPSTREAM_KEY);
  });

  afterAll(async () => {
    await t?.close();
    await upstream.stop();
  });

  const api = (session: Session) => ({
    get: (path: string) => request(t.baseUrl).get(path).set(bearer(session.access)),
    post: (path: string, body?: object) => {
      const req = request(t.baseUrl).post(path).set(bearer(session.access));
      return body === undefined ? req : req.send(body);
    },
    put: (path: string, body: object) => request(t.baseUrl).put(path).set(bearer(session.access)).send(body),
    delete: (path: string) => request(t.baseUrl).delete(path).set(bearer(session.access)),
  });

  describe('create', () => {
    it('creates an app and answers it at top level, Dify-shaped, audited', async () => {
      const res = await api(editor)
        .post(APPS, { name: '  Support bot ', mode: 'chat', icon: '🤖', icon_background: '#FFEAD5' })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Support bot',
        mode: 'chat',
        model_id: 'support-bot',
        description: '',
        icon_type: 'emoji',
        icon: '🤖',
        icon_background: '#FFEAD5',
        enable_api: true,
        api_rpm: null,
        api_max_active_requests: null,
        model_config: null,
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
      });
      expect(Number.isInteger(res.body.created_at)).toBe(true);
      expect(Math.abs(res.body.created_at - Date.now() / 1000)).toBeLessThan(3600);
      const row = await appRow(t, res.body.id);
      expect(row).toMatchObject({ workspaceId: expect.any(String), createdBy: editor.accountId, status: 'normal' });

      const logs = await api(owner).get('/console/api/workspaces/current/audit-logs?action=app.created').expect(200);
      expect(logs.body.data).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            actor_id: editor.accountId,
            target_type: 'app',
            target_id: res.body.id,
            metadata: { name: 'Support bot', mode: 'chat' },
          }),
        ]),
      );
    });

    it('creates completion apps with a description and an image icon', async () => {
      const res = await api(owner)
        .post(APPS, { name: 'Summariser', mode: 'completion', description: 'Shortens text', icon_type: 'image' })
        .expect(201);
      expect(res.body).toMatchObject({ mode: 'completion', description: 'Shortens text', icon_type: 'image' });
    });

    it('refuses modes not supported yet, unknown modes and bad fields with invalid_param naming the field', async () => {
      for (const mode of ['workflow', 'advanced-chat']) {
        const res = await api(owner).post(APPS, { name: 'Later', mode }).expect(400);
        expect(res.body).toMatchObject({ code: 'invalid_param', status: 400 });
        expect(res.body.message).toMatch(/^mode: .*not supported yet/);
      }
      const unknown = await api(owner).post(APPS, { name: 'X', mode: 'bogus' }).expect(400);
      expect(unknown.body.message).toMatch(/^mode: /);
      const noName = await api(owner).post(APPS, { mode: 'chat' }).expect(400);
      expect(noName.body).toMatchObject({ code: 'invalid_param', message: 'name is required' });
      const blank = await api(owner).post(APPS, { name: '   ', mode: 'chat' }).expect(400);
      expect(blank.body.message).toMatch(/^name: /);
      const longDescription = await api(owner)
        .post(APPS, { name: 'X', mode: 'chat', description: 'x'.repeat(401) })
        .expect(400);
      expect(longDescription.body.message).toMatch(/^description: /);
      const iconType = await api(owner).post(APPS, { name: 'X', mode: 'chat', icon_type: 'svg' }).expect(400);
      expect(iconType.body.message).toMatch(/^icon_type: /);
      const none = await request(t.baseUrl)
        .post(APPS)
        .set(bearer(owner.access))
        .set('Content-Type', 'application/json')
        .expect(400);
      expect(none.body.code).toBe('bad_request');
      const rows = await t.app.get(DataSource).getRepository(App).findBy({ name: 'X' });
      expect(rows).toEqual([]);
    });
  });

  describe('list', () => {
    let ids: string[];

    beforeAll(async () => {
      const made: WireApp[] = [];
      for (const [name, mode] of [
        ['Lst Alpha chat', 'chat'],
        ['lst beta completion', 'completion'],
        ['LST Gamma chat', 'chat'],
        ['Lst 50% off_sale', 'completion'],
        ['Lst Delta chat', 'chat'],
      ]) {
        made.push(await createApp(t, owner, { name, mode }));
      }
      ids = made.map((a) => a.id);
      await spreadCreation(t, ids);
    });

    it('pages newest first with Dify’s envelope', async () => {
      const first = await api(normal).get(`${APPS}?name=lst&limit=2`).expect(200);
      expect(first.body).toMatchObject({ page: 1, limit: 2, total: 5, has_more: true });
      expect(idsOf(first.body)).toEqual([ids[4], ids[3]]);
      const third = await api(normal).get(`${APPS}?name=lst&limit=2&page=3`).expect(200);
      expect(third.body).toMatchObject({ page: 3, limit: 2, total: 5, has_more: false });
      expect(idsOf(third.body)).toEqual([ids[0]]);
      const beyond = await api(normal).get(`${APPS}?name=lst&limit=2&page=9`).expect(200);
      expect(beyond.body).toMatchObject({ total: 5, has_more: false, data: [] });
    });

    it('defaults to page 1 of 20 and lists every app of the workspace', async () => {
      const res = await api(operator).get(APPS).expect(200);
      expect(res.body).toMatchObject({ page: 1, limit: 20 });
      expect(res.body.total).toBeGreaterThanOrEqual(7);
      expect(res.body.data.length).toBe(res.body.total);
      expect(idsOf(res.body)).toEqual(expect.arrayContaining(ids));
      // Empty parameters, as Dify's console sends them, count as absent.
      const empty = await api(operator).get(`${APPS}?page=&limit=&mode=&name=`).expect(200);
      expect(empty.body).toEqual(res.body);
    });

    it('filters by mode and by a case-insensitive name substring, wildcards taken literally', async () => {
      const completion = await api(owner).get(`${APPS}?name=LST&mode=completion`).expect(200);
      expect(namesOf(completion.body)).toEqual(['Lst 50% off_sale', 'lst beta completion']);
      const all = await api(owner).get(`${APPS}?name=lst&mode=all`).expect(200);
      expect(all.body.total).toBe(5);
      const gamma = await api(owner).get(`${APPS}?name=gAmMa`).expect(200);
      expect(idsOf(gamma.body)).toEqual([ids[2]]);
      const percent = await api(owner)
        .get(`${APPS}?name=${encodeURIComponent('%')}`)
        .expect(200);
      expect(idsOf(percent.body)).toEqual([ids[3]]);
      const underscore = await api(owner).get(`${APPS}?name=f_s`).expect(200);
      expect(idsOf(underscore.body)).toEqual([ids[3]]);
      const nothing = await api(owner).get(`${APPS}?name=no-such-app`).expect(200);
      expect(nothing.body).toMatchObject({ total: 0, has_more: false, data: [] });
    });

    it('answers invalid_param for a bad page, limit or mode', async () => {
      for (const [query, field] of [
        ['page=0', 'page'],
        ['page=-1', 'page'],
        ['page=abc', 'page'],
        ['page=1.5', 'page'],
        ['limit=0', 'limit'],
        ['limit=101', 'limit'],
        ['limit=ten', 'limit'],
        ['mode=bogus', 'mode'],
      ]) {
        const res = await api(owner).get(`${APPS}?${query}`).expect(400);
        expect(res.body).toMatchObject({ code: 'invalid_param', status: 400 });
        expect(res.body.message).toMatch(new RegExp(`^${field}: `));
      }
    });
  });

  describe('read and update', () => {
    let app: WireApp;

    beforeAll(async () => {
      app = await createApp(t, owner, { name: 'Editable', mode: 'chat' });
    });

    it('reads one app; members of any role may', async () => {
      for (const session of [owner, editor, normal, operator]) {
        const res = await api(session).get(`${APPS}/${app.id}`).expect(200);
        expect(res.body).toEqual(app);
      }
    });

    it('updates name, description, icon fields and API limits; leaves the rest alone', async () => {
      const res = await api(editor)
        .put(`${APPS}/${app.id}`, {
          name: 'Edited',
          description: 'now described',
          icon_type: 'link',
          icon: 'https://example.com/i.png',
          icon_background: null,
          api_rpm: 60,
          api_max_active_requests: 0,
        })
        .expect(200);
      expect(res.body).toMatchObject({
        id: app.id,
        name: 'Edited',
        mode: 'chat',
        description: 'now described',
        icon_type: 'link',
        icon: 'https://example.com/i.png',
        icon_background: null,
        api_rpm: 60,
        api_max_active_requests: 0,
        enable_api: true,
        created_at: app.created_at,
      });
      expect(await appRow(t, app.id)).toMatchObject({ name: 'Edited', apiRpm: 60, apiMaxActiveRequests: 0 });

      const partial = await api(owner).put(`${APPS}/${app.id}`, { api_rpm: null }).expect(200);
      expect(partial.body).toMatchObject({
        name: 'Edited',
        description: 'now described',
        api_rpm: null,
        api_max_active_requests: 0,
      });
      expect((await api(owner).get(`${APPS}/${app.id}`).expect(200)).body).toEqual(partial.body);
      const cleared = await api(owner).put(`${APPS}/${app.id}`, { description: null }).expect(200);
      expect(cleared.body).toMatchObject({ name: 'Edited', description: '' });
      const created = await api(owner).post(APPS, { name: 'Null description', mode: 'chat', description: null });
      expect(created.status).toBe(201);
      expect(created.body.description).toBe('');
    });

    it('refuses negative, fractional or non-numeric limits and blank names, changing nothing', async () => {
      const before = await appRow(t, app.id);
      for (const [body, field] of [
        [{ api_rpm: -1 }, 'api_rpm'],
        [{ api_rpm: 1.5 }, 'api_rpm'],
        [{ api_max_active_requests: '3' }, 'api_max_active_requests'],
        [{ name: '' }, 'name'],
        [{ icon_type: 'gif' }, 'icon_type'],
      ] as const) {
        const res = await api(owner).put(`${APPS}/${app.id}`, body).expect(400);
        expect(res.body).toMatchObject({ code: 'invalid_param' });
        expect(res.body.message).toMatch(new RegExp(`^${field}: `));
      }
      expect(await appRow(t, app.id)).toEqual(before);
    });

    it('switches the Service API off and on', async () => {
      const off = await api(editor).post(`${APPS}/${app.id}/api-enable`, { enable_api: false }).expect(200);
      expect(off.body).toMatchObject({ id: app.id, enable_api: false });
      expect((await appRow(t, app.id))?.enableApi).toBe(false);
      expect((await api(normal).get(`${APPS}/${app.id}`).expect(200)).body.enable_api).toBe(false);
      const on = await api(owner).post(`${APPS}/${app.id}/api-enable`, { enable_api: true }).expect(200);
      expect(on.body.enable_api).toBe(true);
      const bad = await api(owner).post(`${APPS}/${app.id}/api-enable`, { enable_api: 'yes' }).expect(400);
      expect(bad.body).toMatchObject({ code: 'invalid_param', message: expect.stringMatching(/^enable_api: /) });
      const missing = await api(owner).post(`${APPS}/${app.id}/api-enable`, {}).expect(400);
      expect(missing.body.message).toBe('enable_api is required');
      expect((await appRow(t, app.id))?.enableApi).toBe(true);
    });
  });

  describe('model configuration', () => {
    let chat: WireApp;
    let completion: WireApp;
    const config = (path: string, body: object, session = owner) => api(session).post(`${path}/model-config`, body);

    beforeAll(async () => {
      chat = await createApp(t, owner, { name: 'Configured chat', mode: 'chat' });
      completion = await createApp(t, owner, { name: 'Configured completion', mode: 'completion' });
    });

    it('requires model, naming it, and names nested fields', async () => {
      const missing = await config(`${APPS}/${chat.id}`, { pre_prompt: 'Hi' }).expect(400);
      expect(missing.body).toMatchObject({ code: 'invalid_param', status: 400, message: 'model is required' });
      const noProvider = await config(`${APPS}/${chat.id}`, { model: { name: 'llama3' } }).expect(400);
      expect(noProvider.body.message).toBe('model.provider is required');
      const badMode = await config(`${APPS}/${chat.id}`, {
        model: { provider: 'openai_api_compatible', name: 'llama3', mode: 'embedding' },
      }).expect(400);
      expect(badMode.body.message).toMatch(/^model\.mode: /);
      const badForm = await config(`${APPS}/${chat.id}`, {
        model: { provider: 'openai_api_compatible', name: 'llama3' },
        user_input_form: [{ 'text-input': { label: 'Topic', variable: '1bad' } }],
      }).expect(400);
      expect(badForm.body.message).toMatch(/^user_input_form\.0/);
      expect((await appRow(t, chat.id))?.modelConfig).toBeNull();
    });

    it('refuses a model the provider does not offer, and an unknown provider', async () => {
      const unknownModel = await config(`${APPS}/${chat.id}`, {
        model: { provider: 'openai_api_compatible', name: 'gpt-9-ultra', mode: 'chat' },
      }).expect(400);
      expect(unknownModel.body).toMatchObject({ code: 'invalid_param' });
      expect(unknownModel.body.message).toMatch(/^model\.name: .*gpt-9-ultra/);
      const unknownProvider = await config(`${APPS}/${chat.id}`, {
        model: { provider: 'nope', name: 'llama3' },
      }).expect(400);
      expect(unknownProvider.body).toMatchObject({ code: 'invalid_param' });
      expect(unknownProvider.body.message).toMatch(/^model\.provider: .*nope/);
      expect((await appRow(t, chat.id))?.modelConfig).toBeNull();
    });

    it('answers provider_not_initialize when the workspace has not configured the provider', async () => {
      const res = await config(`${APPS}/${chat.id}`, { model: { provider: 'openai', name: 'gpt-4o-mini' } }).expect(
        400,
      );
      expect(res.body).toMatchObject({ code: 'provider_not_initialize', status: 400 });
      expect((await appRow(t, chat.id))?.modelConfig).toBeNull();
    });

    it('refuses a completion-mode model for a chat app', async () => {
      const res = await config(`${APPS}/${chat.id}`, {
        model: { provider: 'openai_api_compatible', name: 'llama3', mode: 'completion' },
      }).expect(400);
      expect(res.body).toMatchObject({ code: 'invalid_param', message: expect.stringMatching(/^model\.mode: /) });
    });

    it('stores a good configuration with Dify’s defaults filled in, and GET includes it', async () => {
      const res = await config(
        `${APPS}/${chat.id}`,
        {
          model: {
            provider: 'openai_api_compatible',
            name: 'llama3',
            mode: 'chat',
            completion_params: { temperature: 0.2, max_tokens: 256 },
          },
          pre_prompt: 'You answer questions about {{topic}}.',
          user_input_form: [{ 'text-input': { label: 'Topic', variable: 'topic', required: true, max_length: 48 } }],
          opening_statement: 'Hello!',
          suggested_questions: ['What can you do?'],
          suggested_questions_after_answer: { enabled: true },
          agent_mode: { enabled: false, tools: [] },
        },
        editor,
      ).expect(200);
      expect(res.body).toEqual({ result: 'success' });

      const shown = await api(normal).get(`${APPS}/${chat.id}`).expect(200);
      expect(shown.body.model_config).toEqual({
        model: {
          provider: 'openai_api_compatible',
          name: 'llama3',
          mode: 'chat',
          completion_params: { temperature: 0.2, max_tokens: 256 },
        },
        pre_prompt: 'You answer questions about {{topic}}.',
        user_input_form: [{ 'text-input': { label: 'Topic', variable: 'topic', required: true, max_length: 48 } }],
        opening_statement: 'Hello!',
        suggested_questions: ['What can you do?'],
        suggested_questions_after_answer: { enabled: true },
        speech_to_text: { enabled: false },
        text_to_speech: { enabled: false },
        retriever_resource: { enabled: false },
        more_like_this: { enabled: false },
        agent_mode: { enabled: false, strategy: 'function_call', tools: [], max_iteration: 5 },
        file_upload: {
          image: { enabled: false, number_limits: 3, detail: 'high', transfer_methods: ['remote_url', 'local_file'] },
        },
      });
      expect(shown.body.updated_at).toBeGreaterThanOrEqual(chat.updated_at as number);
      const row = await appRow(t, chat.id);
      expect(row?.modelConfig?.model.name).toBe('llama3');

      // Setting again replaces the whole configuration.
      await config(`${APPS}/${chat.id}`, { model: { provider: 'openai_api_compatible', name: 'gpt-4o-mini' } }).expect(
        200,
      );
      const replaced = await api(owner).get(`${APPS}/${chat.id}`).expect(200);
      expect(replaced.body.model_config).toMatchObject({
        model: { name: 'gpt-4o-mini', mode: 'chat' },
        pre_prompt: '',
      });
    });

    it('lets a completion app use a chat model or a completion-mode model', async () => {
      await config(`${APPS}/${completion.id}`, {
        model: { provider: 'openai_api_compatible', name: 'llama3', mode: 'chat' },
        pre_prompt: 'Summarise: {{text}}',
      }).expect(200);
      await config(`${APPS}/${completion.id}`, {
        model: { provider: 'openai_api_compatible', name: 'llama3', mode: 'completion' },
        pre_prompt: 'Summarise: {{text}}',
      }).expect(200);
      expect((await appRow(t, completion.id))?.modelConfig?.model.mode).toBe('completion');
    });
  });

  describe('conversation and message logs', () => {
    let app: WireApp;
    let appEntity: App;
    let alice: Awaited<ReturnType<typeof seedConversation>>;
    let bob: Awaited<ReturnType<typeof seedConversation>>;
    let other: Awaited<ReturnType<typeof seedConversation>>;

    beforeAll(async () => {
      app = await createApp(t, owner, { name: 'Logged', mode: 'chat' });
      appEntity = (await appRow(t, app.id))!;
      const turns = Array.from({ length: 5 }, (_, i) => ({ query: `q${i + 1}`, answer: `a${i + 1}`, at: i * 10 }));
      alice = await seedConversation(t, appEntity, 'alice', turns, { name: 'Alice asks' });
      bob = await seedConversation(
        t,
        appEntity,
        'bob',
        [{ query: 'hello', answer: 'partial', at: 100, status: 'stopped' }],
        { name: 'Bob asks' },
      );
      await seedConversation(t, appEntity, 'carol', [{ query: 'gone', answer: 'gone', at: 200 }], {
        status: 'deleted',
      });
      const elsewhere = await createApp(t, owner, { name: 'Other app', mode: 'chat' });
      other = await seedConversation(t, (await appRow(t, elsewhere.id))!, 'alice', [
        { query: 'x', answer: 'y', at: 0 },
      ]);
    });

    it('pages the app’s conversations, most recently active first, deleted ones left out', async () => {
      const res = await api(editor).get(`${APPS}/${app.id}/chat-conversations`).expect(200);
      expect(res.body).toEqual({
        page: 1,
        limit: 20,
        total: 2,
        has_more: false,
        data: [
          {
            id: bob.conversation.id,
            name: 'Bob asks',
            status: 'normal',
            from_end_user_session_id: 'bob',
            message_count: 1,
            created_at: Math.floor(bob.conversation.createdAt.getTime() / 1000),
            updated_at: Math.floor(bob.conversation.updatedAt.getTime() / 1000),
          },
          expect.objectContaining({
            id: alice.conversation.id,
            from_end_user_session_id: 'alice',
            message_count: 5,
          }),
        ],
      });
      const second = await api(editor).get(`${APPS}/${app.id}/chat-conversations?page=2&limit=1`).expect(200);
      expect(second.body).toMatchObject({ page: 2, limit: 1, total: 2, has_more: false });
      expect(idsOf(second.body)).toEqual([alice.conversation.id]);
      const first = await api(editor).get(`${APPS}/${app.id}/chat-conversations?limit=1`).expect(200);
      expect(first.body.has_more).toBe(true);
    });

    it('lists a conversation’s latest messages in order, then earlier ones before first_id', async () => {
      const path = `${APPS}/${app.id}/chat-messages`;
      const latest = await api(editor).get(`${path}?conversation_id=${alice.conversation.id}&limit=2`).expect(200);
      expect(latest.body).toMatchObject({ limit: 2, has_more: true });
      expect(queriesOf(latest.body)).toEqual(['q4', 'q5']);
      expect(latest.body.data[1]).toEqual({
        id: alice.messages[4].id,
        conversation_id: alice.conversation.id,
        query: 'q5',
        answer: 'a5',
        status: 'normal',
        error: null,
        message_tokens: 10,
        answer_tokens: 5,
        total_price: '0.0125',
        currency: 'USD',
        latency: 1.25,
        created_at: Math.floor(alice.messages[4].createdAt.getTime() / 1000),
      });

      const earlier = await api(editor)
        .get(`${path}?conversation_id=${alice.conversation.id}&limit=2&first_id=${latest.body.data[0].id}`)
        .expect(200);
      expect(earlier.body).toMatchObject({ has_more: true });
      expect(queriesOf(earlier.body)).toEqual(['q2', 'q3']);
      const earliest = await api(editor)
        .get(`${path}?conversation_id=${alice.conversation.id}&limit=2&first_id=${earlier.body.data[0].id}`)
        .expect(200);
      expect(earliest.body).toMatchObject({ has_more: false });
      expect(queriesOf(earliest.body)).toEqual(['q1']);

      const all = await api(editor).get(`${path}?conversation_id=${alice.conversation.id}`).expect(200);
      expect(all.body).toMatchObject({ limit: 20, has_more: false });
      expect(all.body.data).toHaveLength(5);
      const stopped = await api(editor).get(`${path}?conversation_id=${bob.conversation.id}`).expect(200);
      expect(stopped.body.data).toEqual([expect.objectContaining({ status: 'stopped', answer: 'partial' })]);
    });

    it('keeps the logs from normal members and dataset operators, as Dify does', async () => {
      for (const session of [normal, operator]) {
        for (const path of [
          `${APPS}/${app.id}/chat-conversations`,
          `${APPS}/${app.id}/chat-messages?conversation_id=${alice.conversation.id}`,
        ]) {
          const res = await api(session).get(path).expect(403);
          expect(res.body.code).toBe('forbidden');
        }
      }
    });

    it('answers 404 for another app’s conversation or an unknown first_id, 400 for bad parameters', async () => {
      const path = `${APPS}/${app.id}/chat-messages`;
      const foreign = await api(owner).get(`${path}?conversation_id=${other.conversation.id}`).expect(404);
      expect(foreign.body).toMatchObject({ code: 'not_found', message: 'Conversation Not Exists.' });
      await api(owner).get(`${path}?conversation_id=${MISSING}`).expect(404);
      const firstElsewhere = await api(owner)
        .get(`${path}?conversation_id=${alice.conversation.id}&first_id=${bob.messages[0].id}`)
        .expect(404);
      expect(firstElsewhere.body.code).toBe('not_found');

      const noId = await api(owner).get(path).expect(400);
      expect(noId.body).toMatchObject({ code: 'invalid_param', message: 'conversation_id is required' });
      const emptyId = await api(owner).get(`${path}?conversation_id=`).expect(400);
      expect(emptyId.body.message).toBe('conversation_id is required');
      const emptyFirst = await api(owner)
        .get(`${path}?conversation_id=${alice.conversation.id}&first_id=&limit=`)
        .expect(200);
      expect(emptyFirst.body).toMatchObject({ limit: 20, has_more: false });
      expect(emptyFirst.body.data).toHaveLength(5);
      for (const [query, field] of [
        ['conversation_id=abc', 'conversation_id'],
        [`conversation_id=${alice.conversation.id}&first_id=nope`, 'first_id'],
        [`conversation_id=${alice.conversation.id}&limit=0`, 'limit'],
        [`conversation_id=${alice.conversation.id}&limit=101`, 'limit'],
      ]) {
        const res = await api(owner).get(`${path}?${query}`).expect(400);
        expect(res.body.message).toMatch(new RegExp(`^${field}: `));
      }
      for (const query of ['page=0', 'limit=500', 'page=x']) {
        const res = await api(owner).get(`${APPS}/${app.id}/chat-conversations?${query}`).expect(400);
        expect(res.body.code).toBe('invalid_param');
      }
    });
  });

  describe('delete', () => {
    it('deletes the app with its keys, end users, conversations and messages, audited', async () => {
      const app = await createApp(t, owner, { name: 'Doomed', mode: 'chat' });
      const keep = await createApp(t, owner, { name: 'Survivor', mode: 'chat' });
      const entity = (await appRow(t, app.id))!;
      await seedConversation(t, entity, 'dora', [
        { query: 'a', answer: 'b', at: 0 },
        { query: 'c', answer: 'd', at: 1 },
      ]);
      const kept = await seedConversation(t, (await appRow(t, keep.id))!, 'dora', [{ query: 'k', answer: 'k', at: 0 }]);
      await api(owner).post(`${APPS}/${app.id}/api-keys`).expect(201);
      await api(owner).post(`${APPS}/${keep.id}/api-keys`).expect(201);

      await api(editor).delete(`${APPS}/${app.id}`).expect(204);

      await api(owner).get(`${APPS}/${app.id}`).expect(404);
      const ds = t.app.get(DataSource);
      expect(await ds.getRepository(App).countBy({ id: app.id })).toBe(0);
      for (const entityClass of [AppApiKey, EndUser, Conversation, Message]) {
        expect(await ds.getRepository(entityClass).countBy({ appId: app.id })).toBe(0);
      }
      expect(await ds.getRepository(AppApiKey).countBy({ appId: keep.id })).toBe(1);
      expect(await ds.getRepository(Message).countBy({ conversationId: kept.conversation.id })).toBe(1);
      expect(await ds.getRepository(EndUser).countBy({ id: kept.endUser.id })).toBe(1);

      const logs = await api(owner).get('/console/api/workspaces/current/audit-logs?action=app.deleted').expect(200);
      expect(logs.body.data[0]).toMatchObject({
        actor_id: editor.accountId,
        target_id: app.id,
        metadata: { name: 'Doomed', mode: 'chat' },
      });
      await api(owner).delete(`${APPS}/${app.id}`).expect(404);
    });
  });

  describe('roles', () => {
    it('refuses every write route to normal members and dataset operators, changing nothing', async () => {
      const app = await createApp(t, owner, { name: 'Guarded', mode: 'chat' });
      const before = await appRow(t, app.id);
      for (const session of [normal, operator]) {
        const writes = [
          api(session).post(APPS, { name: 'Nope', mode: 'chat' }),
          api(session).put(`${APPS}/${app.id}`, { name: 'Nope' }),
          api(session).delete(`${APPS}/${app.id}`),
          api(session).post(`${APPS}/${app.id}/model-config`, {
            model: { provider: 'openai_api_compatible', name: 'llama3' },
          }),
          api(session).post(`${APPS}/${app.id}/api-enable`, { enable_api: false }),
        ];
        for (const write of writes) {
          const res = await write.expect(403);
          expect(res.body.code).toBe('forbidden');
        }
      }
      expect(await appRow(t, app.id)).toEqual(before);
      expect(await t.app.get(DataSource).getRepository(App).countBy({ name: 'Nope' })).toBe(0);
    });

    it('lets editors do all of it', async () => {
      const app = await createApp(t, editor, { name: 'Editor made', mode: 'chat' });
      await api(editor).put(`${APPS}/${app.id}`, { name: 'Editor edited' }).expect(200);
      await api(editor)
        .post(`${APPS}/${app.id}/model-config`, { model: { provider: 'openai_api_compatible', name: 'llama3' } })
        .expect(200);
      await api(editor).post(`${APPS}/${app.id}/api-enable`, { enable_api: false }).expect(200);
      await api(editor).delete(`${APPS}/${app.id}`).expect(204);
    });

    it('answers 401 without a token', async () => {
      const res = await request(t.baseUrl).get(APPS).expect(401);
      expect(res.body.code).toBe('unauthorized');
      await request(t.baseUrl).post(APPS).send({ name: 'x', mode: 'chat' }).expect(401);
    });
  });

  describe('isolation between workspaces', () => {
    let stranger: Session;
    let app: WireApp;
    let conversationId: string;

    beforeAll(async () => {
      await seedWorkspace(t, 'stranger@example.com', 'stranger-pass-1');
      stranger = await login(t, 'stranger@example.com', 'stranger-pass-1');
      app = await createApp(t, owner, { name: 'Private', mode: 'chat' });
      await api(owner)
        .post(`${APPS}/${app.id}/model-config`, { model: { provider: 'openai_api_compatible', name: 'llama3' } })
        .expect(200);
      const seeded = await seedConversation(t, (await appRow(t, app.id))!, 'eve', [{ query: 'q', answer: 'a', at: 0 }]);
      conversationId = seeded.conversation.id;
    });

    it('answers 404 App not found on every route for another workspace’s app, and changes nothing', async () => {
      const before = await appRow(t, app.id);
      const s = api(stranger);
      const attempts = [
        s.get(`${APPS}/${app.id}`),
        s.put(`${APPS}/${app.id}`, { name: 'Stolen' }),
        s.delete(`${APPS}/${app.id}`),
        s.post(`${APPS}/${app.id}/model-config`, { model: { provider: 'openai_api_compatible', name: 'llama3' } }),
        s.post(`${APPS}/${app.id}/api-enable`, { enable_api: false }),
        s.get(`${APPS}/${app.id}/chat-conversations`),
        s.get(`${APPS}/${app.id}/chat-messages?conversation_id=${conversationId}`),
      ];
      for (const attempt of attempts) {
        const res = await attempt.expect(404);
        expect(res.body).toMatchObject({ code: 'not_found', message: 'App not found.', status: 404 });
      }
      expect(await appRow(t, app.id)).toEqual(before);
      expect(await t.app.get(DataSource).getRepository(Message).countBy({ conversationId })).toBe(1);

      const theirs = await s.get(APPS).expect(200);
      expect(theirs.body).toMatchObject({ total: 0, data: [] });
    });

    it('keeps the stranger’s own apps out of the first workspace', async () => {
      const mine = await createApp(t, stranger, { name: 'Stranger app', mode: 'chat' });
      await api(owner).get(`${APPS}/${mine.id}`).expect(404);
      const list = await api(owner).get(`${APPS}?name=Stranger`).expect(200);
      expect(list.body.total).toBe(0);
    });
  });

  it('answers 404 for ids that are not UUIDs, and for unknown ones', async () => {
    for (const id of ['not-a-uuid', '123', MISSING]) {
      for (const attempt of [
        api(owner).get(`${APPS}/${id}`),
        api(owner).put(`${APPS}/${id}`, { name: 'x' }),
        api(owner).delete(`${APPS}/${id}`),
        api(owner).post(`${APPS}/${id}/model-config`, { model: { provider: 'openai_api_compatible', name: 'llama3' } }),
        api(owner).post(`${APPS}/${id}/api-enable`, { enable_api: true }),
        api(owner).get(`${APPS}/${id}/chat-conversations`),
        api(owner).get(`${APPS}/${id}/chat-messages?conversation_id=${MISSING}`),
      ]) {
        const res = await attempt.expect(404);
        expect(res.body).toMatchObject({ code: 'not_found', message: 'App not found.' });
      }
    }
  });
});

/** The queries that differ between databases: substring matching, paging, the JSON column, deletes. */
function appsOn(kind: TestDatabaseKind) {
  const upstream = new FakeOpenAiUpstream({ models: ['llama3'] });
  let db: TestDatabase;
  let t: TestApp;
  let owner: Session;

  beforeAll(async () => {
    await upstream.start();
    db = await createTestDatabase(kind);
    t = await bootTestApp({ ...db.env, MODEL_REQUEST_MAX_RETRIES: '0' });
    owner = await setupOwner(t);
    await configureCompatibleProvider(t, owner, upstream, 'sk-any');
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await upstream.stop();
  });

  it('creates, filters, pages, configures, logs and deletes', async () => {
    const made: WireApp[] = [];
    for (const [name, mode] of [
      ['Alpha chat', 'chat'],
      ['beta 100% done', 'completion'],
      ['GAMMA chat', 'chat'],
    ]) {
      made.push(await createApp(t, owner, { name, mode }));
    }
    await spreadCreation(
      t,
      made.map((a) => a.id),
    );
    const get = (path: string) => request(t.baseUrl).get(path).set(bearer(owner.access));

    const page = await get(`${APPS}?limit=2`).expect(200);
    expect(page.body).toMatchObject({ total: 3, has_more: true });
    expect(namesOf(page.body)).toEqual(['GAMMA chat', 'beta 100% done']);
    expect(idsOf((await get(`${APPS}?name=gamma`).expect(200)).body)).toEqual([made[2].id]);
    expect(idsOf((await get(`${APPS}?name=0%25`).expect(200)).body)).toEqual([made[1].id]);
    expect((await get(`${APPS}?mode=chat`).expect(200)).body.total).toBe(2);

    await request(t.baseUrl)
      .post(`${APPS}/${made[0].id}/model-config`)
      .set(bearer(owner.access))
      .send({
        model: { provider: 'openai_api_compatible', name: 'llama3', completion_params: { temperature: 0.5 } },
        suggested_questions: ['Ünïcode ✓'],
      })
      .expect(200);
    const shown = await get(`${APPS}/${made[0].id}`).expect(200);
    expect(shown.body.model_config).toMatchObject({
      model: { name: 'llama3', completion_params: { temperature: 0.5 } },
      suggested_questions: ['Ünïcode ✓'],
    });

    const entity = (await appRow(t, made[0].id))!;
    const seeded = await seedConversation(t, entity, 'user-1', [
      { query: 'one', answer: '1', at: 0 },
      { query: 'two', answer: '2', at: 5 },
      { query: 'three', answer: '3', at: 9 },
    ]);
    const conversations = await get(`${APPS}/${made[0].id}/chat-conversations`).expect(200);
    expect(conversations.body.data).toEqual([
      expect.objectContaining({ id: seeded.conversation.id, message_count: 3, from_end_user_session_id: 'user-1' }),
    ]);
    const latest = await get(`${APPS}/${made[0].id}/chat-messages?conversation_id=${seeded.conversation.id}&limit=2`);
    expect(queriesOf(latest.body)).toEqual(['two', 'three']);
    const before = await get(
      `${APPS}/${made[0].id}/chat-messages?conversation_id=${seeded.conversation.id}&limit=2&first_id=${latest.body.data[0].id}`,
    );
    expect(before.body).toMatchObject({ has_more: false, data: [expect.objectContaining({ query: 'one' })] });

    await request(t.baseUrl).post(`${APPS}/${made[0].id}/api-keys`).set(bearer(owner.access)).expect(201);
    await request(t.baseUrl).delete(`${APPS}/${made[0].id}`).set(bearer(owner.access)).expect(204);
    const ds = t.app.get(DataSource);
    for (const entityClass of [AppApiKey, EndUser, Conversation, Message]) {
      expect(await ds.getRepository(entityClass).countBy({ appId: made[0].id })).toBe(0);
    }
    expect((await get(APPS).expect(200)).body.total).toBe(2);
  });
}

describeWith('postgres', 'console apps on PostgreSQL', () => appsOn('postgres'));
describeWith('mariadb', 'console apps on MariaDB', () => appsOn('mariadb'));
