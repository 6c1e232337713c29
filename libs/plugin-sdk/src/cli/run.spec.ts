import type { PluginDescription } from '../protocol';
import { CliError } from './cli-error';
import { formatMessage, LocalHost, toHostMessage, type RunState } from './run';

const description: PluginDescription = {
  protocol_version: 1,
  sdk_version: '0.1.0',
  tools: [{ provider: 'demo', tools: [{ name: 'echo', parameters: [] }] }],
  models: [{ provider: 'llm', models: ['m1'] }],
  endpoints: [],
};

describe('keel-plugin run', () => {
  describe('toHostMessage', () => {
    const state = (): RunState => ({ description, nextSession: 0 });

    it('turns a tool shorthand into an invoke request, finding the provider in the description', () => {
      expect(toHostMessage('{"tool": "echo", "parameters": {"text": "hi"}}', state())).toEqual({
        session_id: 'run-1',
        event: 'request',
        data: {
          type: 'tool',
          action: 'invoke',
          provider: 'demo',
          tool: 'echo',
          parameters: { text: 'hi' },
          credentials: {},
        },
      });
    });

    it('turns a model shorthand into invoke_llm with the prompt as a user message', () => {
      const message = toHostMessage('{"model": "m1", "prompt": "hello"}', state());
      expect(message?.data).toMatchObject({
        type: 'model',
        action: 'invoke_llm',
        provider: 'llm',
        model: 'm1',
        prompt_messages: [{ role: 'user', content: 'hello' }],
      });
    });

    it('turns an endpoint shorthand into an endpoint request with a base64 body (POST when there is one)', () => {
      const message = toHostMessage('{"endpoint": "/hook", "body": {"a": 1}}', state());
      expect(message?.data).toEqual({
        type: 'endpoint',
        action: 'invoke',
        method: 'POST',
        path: '/hook',
        headers: {},
        body: Buffer.from('{"a":1}').toString('base64'),
      });
    });

    it('sends a full host message as it is, numbering sessions as it goes', () => {
      const s = state();
      expect(toHostMessage('describe', s)?.session_id).toBe('run-1');
      expect(toHostMessage('{"event": "cancel"}', s)).toEqual({ event: 'cancel', session_id: 'run-2' });
      expect(toHostMessage('   ', s)).toBeUndefined();
    });

    it('refuses what it cannot understand', () => {
      expect(() => toHostMessage('echo hi', state())).toThrow(CliError);
      expect(() => toHostMessage('{"text": "hi"}', state())).toThrow('say "tool", "model" or "endpoint"');
      expect(() => toHostMessage('{"tool": "echo"}', { nextSession: 0 })).toThrow('which tool provider?');
    });
  });

  describe('formatMessage', () => {
    it('prints results and errors readably and hides heartbeats unless verbose', () => {
      expect(
        formatMessage(
          { session_id: 'run-1', event: 'session', data: { type: 'stream', data: { type: 'text', text: 'hi' } } },
          false,
        ),
      ).toBe('[run-1] text: hi');
      expect(
        formatMessage(
          {
            session_id: 'run-1',
            event: 'session',
            data: { type: 'error', data: { error_type: 'InvalidParameter', message: 'bad', parameter: 'text' } },
          },
          false,
        ),
      ).toBe('[run-1] error InvalidParameter (text): bad');
      expect(formatMessage({ event: 'heartbeat', data: { active_sessions: 0 } }, false)).toBeUndefined();
      expect(formatMessage({ event: 'heartbeat', data: { active_sessions: 2 } }, true)).toBe(
        '[heartbeat] 2 open session(s)',
      );
    });
  });

  describe('LocalHost', () => {
    it('keeps storage in memory and refuses LLM and tool calls', () => {
      const host = new LocalHost();
      expect(
        host.answer({ type: 'storage', backwards_request_id: 'a', request: { opt: 'set', key: 'k', value: 'dg==' } }),
      ).toEqual({
        responses: [{ ok: true }],
      });
      expect(host.answer({ type: 'storage', backwards_request_id: 'b', request: { opt: 'get', key: 'k' } })).toEqual({
        responses: [{ value: 'dg==' }],
      });
      host.answer({ type: 'storage', backwards_request_id: 'c', request: { opt: 'del', key: 'k' } });
      expect(host.answer({ type: 'storage', backwards_request_id: 'd', request: { opt: 'get', key: 'k' } })).toEqual({
        responses: [{ value: null }],
      });
      const refused = host.answer({
        type: 'llm',
        backwards_request_id: 'e',
        request: { provider: 'p', model: 'm', prompt_messages: [] },
      });
      expect(refused).toEqual({ error: expect.stringContaining('need a Keel server') });
    });
  });
});
