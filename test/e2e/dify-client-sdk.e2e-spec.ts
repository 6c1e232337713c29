import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setupOwner } from '../support/console';
import { FakeOpenAiUpstream } from '../support/fake-openai-upstream';
import { configureProvider, currentWorkspaceId, seedApp } from '../support/service-api';
import { bootTestApp, type TestApp } from '../support/test-app';

const run = promisify(execFile);

/**
 * Dify's npm SDK (`dify-client` 2.3.2) against Keel. The SDK is ESM-only, so it runs as a plain
 * Node script (test/sdk/dify-client.check.mjs) in its own process, talking to Keel over HTTP.
 */
describe('dify-client SDK against Keel', () => {
  const upstream = new FakeOpenAiUpstream();
  let t: TestApp;
  const keys = { chat: '', completion: '' };

  beforeAll(async () => {
    await upstream.start();
    t = await bootTestApp({ MODEL_REQUEST_MAX_RETRIES: '0' });
    const owner = await setupOwner(t);
    const workspaceId = await currentWorkspaceId(t, owner);
    await configureProvider(t, owner, { endpoint_url: upstream.baseUrl });
    const model = { provider: 'openai_api_compatible', name: 'gpt-4o-mini' };
    const chat = await seedApp(t, workspaceId, {
      modelConfig: {
        model,
        pre_prompt: 'Talk about {{topic}}.',
        user_input_form: [{ 'text-input': { label: 'Topic', variable: 'topic', required: false } }],
        file_upload: { image: { enabled: true, transfer_methods: ['local_file'] } },
      },
    });
    const completion = await seedApp(t, workspaceId, {
      mode: 'completion',
      modelConfig: {
        model,
        pre_prompt: 'Write one line about {{subject}}.',
        user_input_form: [{ 'text-input': { label: 'Subject', variable: 'subject', required: true } }],
      },
    });
    keys.chat = chat.key;
    keys.completion = completion.key;
  });

  afterAll(async () => {
    await t?.close();
    await upstream.stop();
  });

  it('runs chat (blocking, streaming, multi-turn), conversations, messages, feedback, files and completion', async () => {
    const { stdout } = await run(process.execPath, [join(__dirname, '../sdk/dify-client.check.mjs')], {
      env: {
        PATH: process.env.PATH ?? '',
        KEEL_V1: `${t.baseUrl}/v1`,
        CHAT_KEY: keys.chat,
        COMPLETION_KEY: keys.completion,
      },
      timeout: 60_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { ok: boolean; seen: Record<string, unknown> };
    expect(result.ok).toBe(true);
    expect(result.seen).toMatchObject({
      blocking: ['You said: hello sdk', 'You said: and again'],
      streaming: 'You said: stream this please',
      conversations: { renamed: 'Owl talk', messages: 3 },
      completion: ['You said: Write one line about tea.', 'You said: Write one line about coffee.'],
    });
    // The upstream saw the uploaded image the SDK sent.
    const withImage = upstream.calls.find((c) => JSON.stringify(c.body.messages).includes('data:image/png;base64,'));
    expect(withImage).toBeDefined();
  });
});
