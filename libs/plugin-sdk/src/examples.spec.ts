import { join, resolve } from 'node:path';
import type { Plugin } from './plugin';
import { Harness } from './runtime.spec-support';

/** The example plugins in examples/plugins work with this SDK (Jest maps @keel/plugin-sdk to src). */
const examples = resolve(__dirname, '..', '..', '..', 'examples', 'plugins');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (name: string) => require(join(examples, name, 'main.js')) as Plugin;

describe('example plugins', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  describe('notes', () => {
    const tool = (tool: string, parameters: Record<string, unknown>) => ({
      type: 'tool',
      action: 'invoke',
      provider: 'notes',
      tool,
      parameters,
    });

    function withStorage(): Map<string, string> {
      const store = new Map<string, string>();
      harness!.serveBackwards(({ type, request }) => {
        if (type === 'llm') {
          return ['Milk ', 'is needed.'].map((content, index) => ({
            delta: { index, message: { role: 'assistant', content } },
          }));
        }
        if (request.opt === 'get') return [{ value: store.get(request.key) ?? null }];
        if (request.opt === 'set') store.set(request.key, request.value);
        return [{ ok: true }];
      });
      return store;
    }

    it('saves a note in storage, reads it back, and says when there is none', async () => {
      harness = new Harness(load('notes'));
      const store = withStorage();
      harness.request('save', tool('save_note', { key: 'todo', text: 'buy milk' }));
      expect(await harness.streamed('save')).toEqual([{ type: 'json', json: { saved: 'todo', characters: 8 } }]);
      expect(Buffer.from(store.get('note:todo')!, 'base64').toString()).toBe('buy milk');
      harness.request('read', tool('read_note', { key: 'todo' }));
      harness.request('none', tool('read_note', { key: 'other' }));
      expect(await harness.streamed('read')).toEqual([{ type: 'text', text: 'buy milk' }]);
      expect(await harness.streamed('none')).toEqual([{ type: 'text', text: 'There is no note "other".' }]);
    });

    it("streams a summary from the workspace's LLM, with the form's default model", async () => {
      harness = new Harness(load('notes'));
      const store = withStorage();
      store.set('note:todo', Buffer.from('buy milk').toString('base64'));
      harness.request('sum', tool('summarize_note', { key: 'todo' }));
      expect(await harness.streamed('sum')).toEqual([
        { type: 'text', text: 'Milk ' },
        { type: 'text', text: 'is needed.' },
      ]);
      const call = harness.lines.find((line) => line.data?.type === 'invoke' && line.data.data.type === 'llm');
      expect(call?.data.data.request).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
    });

    it('serves a note over its endpoint to a caller with the token', async () => {
      harness = new Harness(load('notes'));
      const store = withStorage();
      store.set('note:todo', Buffer.from('buy milk').toString('base64'));
      const get = (headers: Record<string, string>) => ({
        type: 'endpoint',
        action: 'invoke',
        method: 'GET',
        path: '/notes/todo',
        headers,
        settings: { token: 'secret' },
      });
      harness.request('ok', get({ 'X-Token': 'secret' }));
      harness.request('denied', get({}));
      const [ok] = (await harness.streamed('ok')) as Array<{ status: number; body: string }>;
      expect(ok.status).toBe(200);
      expect(JSON.parse(Buffer.from(ok.body, 'base64').toString())).toEqual({ key: 'todo', text: 'buy milk' });
      const [denied] = (await harness.streamed('denied')) as Array<{ status: number }>;
      expect(denied.status).toBe(401);
    });
  });

  describe('reverse-llm', () => {
    it('streams the last user message reversed, then usage and the finish reason', async () => {
      harness = new Harness(load('reverse-llm'));
      harness.request('m', {
        type: 'model',
        action: 'invoke_llm',
        provider: 'reverse',
        model: 'reverse-1',
        credentials: { api_key: 'rev-1' },
        prompt_messages: [{ role: 'user', content: 'one two three' }],
        model_parameters: { max_tokens: 2 },
      });
      const chunks = (await harness.streamed('m')) as Array<{
        delta: { message: { content: string }; finish_reason?: string };
      }>;
      expect(chunks.map((chunk) => chunk.delta.message.content).join('')).toBe('three two');
      expect(chunks.at(-1)?.delta.finish_reason).toBe('length');
    });

    it('checks credentials', async () => {
      harness = new Harness(load('reverse-llm'));
      harness.request('bad', {
        type: 'model',
        action: 'validate_credentials',
        provider: 'reverse',
        credentials: { api_key: 'x' },
      });
      expect((await harness.session('bad'))[0].data.data).toEqual({
        error_type: 'CredentialsValidationFailed',
        message: 'api_key must start with rev-',
      });
    });
  });
});
