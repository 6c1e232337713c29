import request from 'supertest';
import { setupOwner } from '../support/console';
import { FakeOpenAiUpstream } from '../support/fake-openai-upstream';
import { configureProvider, currentWorkspaceId, type SeededApp, seedApp } from '../support/service-api';
import { bootTestApp, type TestApp } from '../support/test-app';

/** The `data` list of a Dify page, typed for the field a test reads. */
const dataOf = <T>(res: { body: unknown }) => (res.body as { data: T[] }).data;

const modelConfig = (extra: Record<string, unknown> = {}) => ({
  model: { provider: 'openai_api_compatible', name: 'gpt-4o-mini' },
  opening_statement: 'Hi, ask me anything.',
  ...extra,
});

/** The Service API around conversations: lists, paging, rename, delete, feedback, app info. */
describe('Service API: conversations, messages, feedback and app info', () => {
  const upstream = new FakeOpenAiUpstream();
  let t: TestApp;
  let app: SeededApp;
  let workspaceId: string;

  const api = (method: 'get' | 'post' | 'delete', path: string, key = app.key) =>
    request(t.baseUrl)[method](path).set('Authorization', `Bearer ${key}`);
  const say = async (user: string, query: string, conversation_id?: string) =>
    (await api('post', '/v1/chat-messages').send({ inputs: {}, query, user, conversation_id }).expect(200)).body as {
      conversation_id: string;
      message_id: string;
    };

  beforeAll(async () => {
    await upstream.start();
    t = await bootTestApp({ MODEL_REQUEST_MAX_RETRIES: '0' });
    const owner = await setupOwner(t);
    workspaceId = await currentWorkspaceId(t, owner);
    await configureProvider(t, owner, { endpoint_url: upstream.baseUrl });
    app = await seedApp(t, workspaceId, {
      modelConfig: modelConfig({
        suggested_questions: ['What can you do?'],
        user_input_form: [{ select: { label: 'Tone', variable: 'tone', options: ['plain', 'fancy'] } }],
      }),
    });
  });

  afterAll(async () => {
    await t?.close();
    await upstream.stop();
  });

  it('answers the index without a key, and the app’s parameters, meta and info with one', async () => {
    const index = await request(t.baseUrl).get('/v1').expect(200);
    expect(index.body).toMatchObject({ welcome: 'Dify OpenAPI', api_version: 'v1' });
    const parameters = await api('get', '/v1/parameters?user=u').expect(200);
    expect(parameters.body).toMatchObject({
      opening_statement: 'Hi, ask me anything.',
      suggested_questions: ['What can you do?'],
      suggested_questions_after_answer: { enabled: false },
      user_input_form: [{ select: { label: 'Tone', variable: 'tone', options: ['plain', 'fancy'], required: false } }],
      file_upload: { image: { enabled: false } },
      system_parameters: { file_size_limit: 15, image_file_size_limit: 10 },
    });
    expect((await api('get', '/v1/meta').expect(200)).body).toEqual({ tool_icons: {} });
    expect((await api('get', '/v1/info').expect(200)).body).toMatchObject({
      name: app.app.name,
      mode: 'chat',
      tags: [],
    });
    const bare = await seedApp(t, workspaceId);
    expect((await api('get', '/v1/parameters', bare.key).expect(400)).body.code).toBe('app_unavailable');
  });

  it('gates what Keel does not serve yet', async () => {
    expect((await api('post', '/v1/workflows/run').send({ inputs: {}, user: 'u' }).expect(400)).body.code).toBe(
      'not_workflow_app',
    );
    expect((await api('post', '/v1/workflows/abc/run').send({ inputs: {}, user: 'u' }).expect(400)).body.code).toBe(
      'not_workflow_app',
    );
    expect((await api('get', '/v1/site').expect(403)).body.code).toBe('forbidden');
    for (const path of ['/v1/workflows/logs', '/v1/workflows/run/abc', '/v1/audio-to-text', '/v1/apps/annotations']) {
      expect((await api(path === '/v1/audio-to-text' ? 'post' : 'get', path).expect(404)).body.code).toBe('not_found');
    }
  });

  it('lists an end user’s conversations newest first, pages with last_id, and gives an unseen user []', async () => {
    const a = await say('lister', 'first');
    const b = await say('lister', 'second');
    const c = await say('lister', 'third');
    await say('someone-else', 'not mine');
    const page1 = await api('get', '/v1/conversations?user=lister&limit=2').expect(200);
    expect(dataOf<{ id: string }>(page1).map((x) => x.id)).toEqual([c.conversation_id, b.conversation_id]);
    expect(page1.body).toMatchObject({ limit: 2, has_more: true });
    expect(page1.body.data[0]).toMatchObject({ name: 'third', status: 'normal', introduction: 'Hi, ask me anything.' });
    expect(typeof page1.body.data[0].created_at).toBe('number');
    const page2 = await api('get', `/v1/conversations?user=lister&limit=2&last_id=${b.conversation_id}`).expect(200);
    expect(dataOf<{ id: string }>(page2).map((x) => x.id)).toEqual([a.conversation_id]);
    expect(page2.body.has_more).toBe(false);
    const oldest = await api('get', '/v1/conversations?user=lister&sort_by=created_at').expect(200);
    expect(oldest.body.data[0].id).toBe(a.conversation_id);
    expect((await api('get', '/v1/conversations?user=never-seen').expect(200)).body).toEqual({
      limit: 20,
      has_more: false,
      data: [],
    });
    expect((await api('get', '/v1/conversations?user=lister&limit=101').expect(400)).body.code).toBe('invalid_param');
    expect((await api('get', '/v1/conversations?user=lister&sort_by=name').expect(400)).body.code).toBe(
      'invalid_param',
    );
    expect((await api('get', '/v1/conversations').expect(400)).body.message).toBe('Arg user must be provided.');
  });

  it('renames by hand or by the model, and deletes (204, then gone everywhere)', async () => {
    const { conversation_id } = await say('renamer', 'plan a trip to Lisbon');
    const manual = await api('post', `/v1/conversations/${conversation_id}/name`)
      .send({ name: 'Trip', user: 'renamer' })
      .expect(200);
    expect(manual.body).toMatchObject({ id: conversation_id, name: 'Trip' });
    const auto = await api('post', `/v1/conversations/${conversation_id}/name`)
      .send({ auto_generate: true, user: 'renamer' })
      .expect(200);
    // The fake model echoes; the title is what the model answered for the first question.
    expect(auto.body.name).toBe('You said: plan a trip to Lisbon');
    expect(upstream.lastCall()?.body.max_tokens).toBe(32);
    await api('post', `/v1/conversations/${conversation_id}/name`).send({ user: 'renamer' }).expect(400);
    await api('post', `/v1/conversations/${conversation_id}/name`).send({ name: 'x', user: 'intruder' }).expect(404);

    await api('delete', `/v1/conversations/${conversation_id}`).send({ user: 'intruder' }).expect(404);
    const deleted = await api('delete', `/v1/conversations/${conversation_id}`).send({ user: 'renamer' }).expect(204);
    expect(deleted.text).toBe('');
    expect((await api('get', '/v1/conversations?user=renamer').expect(200)).body.data).toEqual([]);
    const again = await api('post', '/v1/chat-messages')
      .send({ inputs: {}, query: 'x', user: 'renamer', conversation_id })
      .expect(404);
    expect(again.body.message).toBe('Conversation Not Exists.');
    await api('get', `/v1/conversations/${conversation_id}/variables?user=renamer`).expect(404);
  });

  it('lists variables as empty for a chat app', async () => {
    const { conversation_id } = await say('vars', 'hello');
    expect((await api('get', `/v1/conversations/${conversation_id}/variables?user=vars`).expect(200)).body).toEqual({
      limit: 20,
      has_more: false,
      data: [],
    });
  });

  it('pages messages backward with first_id, oldest first within a page, with feedback', async () => {
    const first = await say('pager', 'q1');
    const ids = [first.message_id];
    for (const q of ['q2', 'q3', 'q4']) ids.push((await say('pager', q, first.conversation_id)).message_id);
    const latest = await api('get', `/v1/messages?user=pager&conversation_id=${first.conversation_id}&limit=2`).expect(
      200,
    );
    expect(dataOf<{ query: string }>(latest).map((m) => m.query)).toEqual(['q3', 'q4']);
    expect(latest.body.has_more).toBe(true);
    expect(latest.body.data[1]).toMatchObject({
      id: ids[3],
      conversation_id: first.conversation_id,
      answer: 'You said: q4',
      feedback: null,
      retriever_resources: [],
      agent_thoughts: [],
      message_files: [],
      status: 'normal',
    });
    const older = await api(
      'get',
      `/v1/messages?user=pager&conversation_id=${first.conversation_id}&limit=2&first_id=${ids[2]}`,
    ).expect(200);
    expect(dataOf<{ query: string }>(older).map((m) => m.query)).toEqual(['q1', 'q2']);
    expect(older.body.has_more).toBe(false);
    await api(
      'get',
      `/v1/messages?user=pager&conversation_id=${first.conversation_id}&first_id=${otherId(ids[0])}`,
    ).expect(404);
    await api('get', `/v1/messages?user=other&conversation_id=${first.conversation_id}`).expect(404);
    expect((await api('get', '/v1/messages?user=pager').expect(400)).body.message).toBe('conversation_id is required');

    await api('post', `/v1/messages/${ids[3]}/feedbacks`)
      .send({ rating: 'like', user: 'pager', content: 'great' })
      .expect(200, { result: 'success' });
    await api('post', `/v1/messages/${ids[3]}/feedbacks`).send({ rating: 'like', user: 'other' }).expect(404);
    await api('post', `/v1/messages/${ids[3]}/feedbacks`).send({ rating: 'meh', user: 'pager' }).expect(400);
    const withFeedback = await api(
      'get',
      `/v1/messages?user=pager&conversation_id=${first.conversation_id}&limit=1`,
    ).expect(200);
    expect(withFeedback.body.data[0].feedback).toEqual({ rating: 'like' });
    const all = await api('get', '/v1/app/feedbacks?page=1&limit=20').expect(200);
    expect(all.body.data).toEqual([
      expect.objectContaining({ message_id: ids[3], rating: 'like', content: 'great', from_source: 'user' }),
    ]);
    await api('post', `/v1/messages/${ids[3]}/feedbacks`).send({ rating: null, user: 'pager' }).expect(200);
    expect((await api('get', '/v1/app/feedbacks').expect(200)).body.data).toEqual([]);
    await api('post', `/v1/messages/${ids[3]}/feedbacks`).send({ rating: null, user: 'pager' }).expect(400);
  });

  it('suggests follow-up questions only when the app enables it', async () => {
    const { message_id } = await say('suggest', 'tell me about owls');
    const off = await api('get', `/v1/messages/${message_id}/suggested?user=suggest`).expect(403);
    expect(off.body.code).toBe('app_suggested_questions_after_answer_disabled');
    const on = await seedApp(t, workspaceId, {
      modelConfig: modelConfig({ suggested_questions_after_answer: { enabled: true } }),
    });
    const asked = await api('post', '/v1/chat-messages', on.key)
      .send({ inputs: {}, query: 'owls?', user: 's' })
      .expect(200);
    const res = await api('get', `/v1/messages/${asked.body.message_id as string}/suggested?user=s`, on.key).expect(
      200,
    );
    expect(res.body.result).toBe('success');
    // The fake model answers with an echo, not a JSON list: no suggestions, and no error.
    expect(res.body.data).toEqual([]);
    expect(upstream.lastCall()?.body.messages.slice(1, 3)).toEqual([
      { role: 'user', content: 'owls?' },
      { role: 'assistant', content: 'You said: owls?' },
    ]);
  });
});

/** A well-formed id that differs from `id` (in its last character). */
function otherId(id: string): string {
  return id.slice(0, -1) + (id.endsWith('0') ? '1' : '0');
}
