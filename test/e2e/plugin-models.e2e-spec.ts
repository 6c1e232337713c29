import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ensureSdkBuilt, REPO_DIR } from '../../libs/plugin-sdk/src/cli/sdk-build.spec-support';
import { App } from '../../src/modules/apps/app.entity';
import { ProviderCredentialsService } from '../../src/modules/providers/provider-credentials.service';
import { bearer, consoleApi, type Session, setupOwner } from '../support/console';
import { createApp } from '../support/console-apps';
import { eventually } from '../support/eventually';
import { keelPlugin } from '../support/keel-plugin-cli';
import { currentWorkspaceId, parseSse } from '../support/service-api';
import { bootTestApp, type TestApp } from '../support/test-app';

const PROVIDER = 'keel/reverse-llm/reverse';

/**
 * Issue 14, item 1: the example model plugin (examples/plugins/reverse-llm) installed through the
 * console becomes a model provider of the workspace — credentials checked by the plugin — and an
 * app on it answers through both faces, `/v1/chat-messages` and `/v1/chat/completions`.
 */
describe('Model plugins as providers of apps', () => {
  let work: string;
  let t: TestApp;
  let owner: Session;
  let appKey: string;
  let slug: string;

  const { get: consoleGet, post: consolePost } = consoleApi(
    () => t,
    () => owner,
  );
  const providerPath = `/workspaces/current/model-providers/${encodeURIComponent(PROVIDER)}`;

  beforeAll(async () => {
    await ensureSdkBuilt();
    work = mkdtempSync(join(tmpdir(), 'keel-plugin-models-'));
    await keelPlugin(work, 'pack', join(REPO_DIR, 'examples', 'plugins', 'reverse-llm'), '-o', 'reverse.keelpkg');
    t = await bootTestApp({ MODEL_REQUEST_MAX_RETRIES: '0' });
    owner = await setupOwner(t);
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('is not a provider until installed; installed, it is listed with its credential form', async () => {
    await consoleGet(`${providerPath}/credentials`).expect(404);
    const uploaded = await request(t.baseUrl)
      .post('/console/api/workspaces/current/plugin/upload/pkg')
      .set(bearer(owner.access))
      .attach('pkg', readFileSync(join(work, 'reverse.keelpkg')), 'reverse.keelpkg')
      .expect(200);
    expect(uploaded.body.manifest.category).toBe('model');
    const started = await consolePost('/workspaces/current/plugin/install/pkg', {
      plugin_unique_identifiers: [uploaded.body.unique_identifier],
    }).expect(200);
    await eventually(async () => {
      const task = await consoleGet(`/workspaces/current/plugin/tasks/${started.body.task_id}`);
      return task.body.task.status === 'success';
    }, 'installed');

    const providers = (await consoleGet('/workspaces/current/model-providers').expect(200)).body.data as Array<
      Record<string, any>
    >;
    const reverse = providers.find((p) => p.provider === PROVIDER);
    expect(reverse).toBeDefined();
    expect(JSON.stringify(reverse)).toContain('api_key');
  });

  it('checks credentials through the plugin, then lists its models', async () => {
    const refused = await consolePost(`${providerPath}/credentials`, { credentials: { api_key: 'nope' } }).expect(400);
    expect(refused.body.message).toContain('api_key must start with rev-');
    await consolePost(`${providerPath}/credentials`, { credentials: { api_key: 'rev-secret-1' } }).expect(201);
    const shown = await consoleGet(`${providerPath}/credentials`).expect(200);
    expect(shown.body.credentials.api_key).not.toBe('rev-secret-1');
    const models = await consoleGet(`${providerPath}/models`).expect(200);
    expect(
      (models.body.data as Array<{ model: string; model_type: string }>).map((m) => [m.model, m.model_type]),
    ).toEqual([
      ['reverse-1', 'llm'],
      ['letters-1', 'text-embedding'],
    ]);
  });

  it("embeds texts with the plugin's text-embedding model, through the workspace's provider", async () => {
    const configured = await t.app
      .get(ProviderCredentialsService)
      .configured(await currentWorkspaceId(t, owner), PROVIDER);
    expect(configured).toBeDefined();
    const result = await configured!.provider.embed!(configured!.credentials, {
      model: 'letters-1',
      texts: ['hello world', 'sky'],
    });
    expect(result).toEqual({
      embeddings: [
        [11, 2, 3],
        [3, 1, 0],
      ],
      tokens: 3,
    });
    await expect(
      configured!.provider.embed!(configured!.credentials, { model: 'reverse-1', texts: ['x'] }),
    ).rejects.toThrow(/ModelNotFound/);
  });

  it('runs a chat app on the plugin through /v1/chat-messages, blocking and streaming', async () => {
    const app = await createApp(t, owner, { name: 'Reverser', mode: 'chat' });
    await consolePost(`/apps/${app.id}/model-config`, {
      model: { provider: PROVIDER, name: 'reverse-1', mode: 'chat', completion_params: { max_tokens: 100 } },
      pre_prompt: 'You reverse.',
    }).expect(200);
    appKey = (await consolePost(`/apps/${app.id}/api-keys`, {}).expect(201)).body.token as string;
    slug = (await t.app.get(DataSource).getRepository(App).findOneByOrFail({ id: app.id })).slug!;

    const blocking = await request(t.baseUrl)
      .post('/v1/chat-messages')
      .set('Authorization', `Bearer ${appKey}`)
      .send({ inputs: {}, query: 'one two three', user: 'u-1', response_mode: 'blocking' })
      .expect(200);
    expect(blocking.body.answer).toBe('three two one');
    expect(blocking.body.metadata.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 3 });

    const streaming = await request(t.baseUrl)
      .post('/v1/chat-messages')
      .set('Authorization', `Bearer ${appKey}`)
      .send({ inputs: {}, query: 'alpha beta', user: 'u-1', response_mode: 'streaming' })
      .expect(200);
    const events = parseSse(streaming.text).events;
    expect(
      events
        .filter((e) => e.event === 'message')
        .map((e) => e.answer)
        .join(''),
    ).toBe('beta alpha');
    expect(events.at(-1)?.event).toBe('message_end');
  });

  it('serves the same app to the OpenAI SDK through /v1/chat/completions', async () => {
    const client = new OpenAI({ apiKey: appKey, baseURL: `${t.baseUrl}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: slug,
      messages: [{ role: 'user', content: 'red green blue' }],
    });
    expect(completion.choices[0].message.content).toBe('blue green red');
    const stream = await client.chat.completions.create({
      model: slug,
      messages: [{ role: 'user', content: 'x y' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('y x');
  });
});
