import { FakeOpenAiUpstream } from '../../../test/support/fake-openai-upstream';
import type { AppConfig } from '../../config/app-config';
import type { ChatEvent } from './model-provider';
import { OpenAiCompatibleProvider } from './openai-compatible.provider';
import { OpenAiProvider } from './openai.provider';
import { failureOf } from '../../../test/support/upstream-failure';

const configWith = (maxRetries: number) => ({ models: { timeoutMs: 5_000, maxRetries } }) as AppConfig;

async function collect(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

/** The OpenAI providers against an OpenAI-compatible server on loopback (test/support). */
describe('OpenAI-compatible provider (against the fake upstream)', () => {
  const upstream = new FakeOpenAiUpstream({ apiKeys: ['sk-good'], models: ['gpt-4o-mini', 'llama3'] });
  const provider = new OpenAiCompatibleProvider(configWith(0));

  beforeAll(() => upstream.start());
  afterAll(() => upstream.stop());

  it('streams deltas, then the upstream usage, then the finish reason', async () => {
    const events = await collect(
      provider.streamChat(
        { endpoint_url: upstream.baseUrl, api_key: 'sk-good' },
        { model: 'llama3', messages: [{ role: 'user', content: 'hello there' }], params: { temperature: 0.2 } },
      ),
    );
    const text = events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
    expect(text).toBe('You said: hello there');
    expect(events.filter((e) => e.type === 'delta').length).toBeGreaterThan(1);
    expect(events.at(-2)).toEqual({ type: 'usage', promptTokens: 2, completionTokens: 4 });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
    expect(upstream.lastCall()?.body).toMatchObject({
      temperature: 0.2,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('maps upstream failures to Dify’s codes, keeping the upstream’s reason', async () => {
    const credentials = { endpoint_url: upstream.baseUrl, api_key: 'sk-good' };
    const cases: Array<[string, string, RegExp]> = [
      ['error-401', 'provider_not_initialize', /Incorrect API key/],
      ['error-429', 'provider_quota_exceeded', /exceeded your current quota/],
      ['error-404', 'model_currently_not_support', /does not exist/],
      ['error-500', 'completion_request_error', /server had an error/],
    ];
    for (const [model, code, reason] of cases) {
      const error = await failureOf(collect(provider.streamChat(credentials, { model, messages: [], params: {} })));
      expect(error.difyCode).toBe(code);
      expect(error.message).toMatch(reason);
    }
  });

  it('surfaces a stream that breaks midway as a request error', async () => {
    const error = await failureOf(
      collect(
        provider.streamChat(
          { endpoint_url: upstream.baseUrl, api_key: 'sk-good' },
          { model: 'error-midstream', messages: [{ role: 'user', content: 'a b c d e f' }], params: {} },
        ),
      ),
    );
    expect(error.difyCode).toBe('completion_request_error');
  });

  it('aborts the upstream request when the signal fires', async () => {
    const controller = new AbortController();
    const pending = collect(
      provider.streamChat(
        { endpoint_url: upstream.baseUrl, api_key: 'sk-good' },
        { model: 'slow', messages: [{ role: 'user', content: 'wait' }], params: {}, signal: controller.signal },
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    expect((await failureOf(pending)).failure).toBe('aborted');
    await new Promise((r) => setTimeout(r, 50));
    expect(upstream.lastCall()).toMatchObject({ aborted: true, finished: false });
  });

  it('validates credentials with a live call and lists models with their prices', async () => {
    await expect(
      provider.validateCredentials({ endpoint_url: upstream.baseUrl, api_key: 'sk-good' }),
    ).resolves.toBeUndefined();
    const bad = await failureOf(provider.validateCredentials({ endpoint_url: upstream.baseUrl, api_key: 'sk-bad' }));
    expect(bad.failure).toBe('auth');
    const models = await provider.listModels({
      endpoint_url: upstream.baseUrl,
      api_key: 'sk-good',
      models: [{ model: 'llama3', input_price: '0.001', output_price: '0.002', currency: 'EUR' }],
    });
    expect(models).toEqual([
      { model: 'llama3', mode: 'chat', inputPrice: '0.001', outputPrice: '0.002', currency: 'EUR' },
    ]);
    expect(
      (await provider.listModels({ endpoint_url: upstream.baseUrl, api_key: 'sk-good' })).map((m) => m.model),
    ).toEqual(['gpt-4o-mini', 'llama3']);
  });

  it('validates with a one-token completion when the server has no model list', async () => {
    const bare = await new FakeOpenAiUpstream({ listModels: false }).start();
    try {
      await expect(
        provider.validateCredentials({ endpoint_url: bare.baseUrl, models: [{ model: 'qwen2' }] }),
      ).resolves.toBeUndefined();
      expect(bare.lastCall()?.body).toMatchObject({ model: 'qwen2', max_tokens: 1 });
      // No key configured: no Authorization header at all (nothing is read from the environment).
      expect(bare.lastCall()?.headers).not.toHaveProperty('authorization');
    } finally {
      await bare.stop();
    }
  });

  it('retries a failing upstream before giving up (MODEL_REQUEST_MAX_RETRIES)', async () => {
    const retrying = new OpenAiProvider(configWith(1));
    const before = upstream.calls.length;
    const error = await failureOf(
      collect(
        retrying.streamChat(
          { openai_api_key: 'sk-good', openai_api_base: upstream.baseUrl },
          { model: 'error-500', messages: [], params: {} },
        ),
      ),
    );
    expect(error.difyCode).toBe('completion_request_error');
    expect(upstream.calls.length - before).toBe(2);
  });
});
