import type { ErrorEvent } from '@sentry/core';
import { FILTERED, scrubEvent } from './sentry-event.scrubber';

const eventFor = (request: ErrorEvent['request'], extra?: Record<string, unknown>): ErrorEvent =>
  ({ type: undefined, request, extra }) as ErrorEvent;

describe('scrubEvent', () => {
  it('filters credential headers whatever their case, and drops cookies', () => {
    const event = scrubEvent(
      eventFor({
        headers: { Authorization: 'Bearer app-x', 'X-Api-Key': 'k', Cookie: 'a=b', 'User-Agent': 'sdk/1' },
        cookies: { session: 's' },
      }),
    );
    expect(event.request?.headers).toEqual({
      Authorization: FILTERED,
      'X-Api-Key': FILTERED,
      Cookie: FILTERED,
      'User-Agent': 'sdk/1',
    });
    expect(event.request?.cookies).toBeUndefined();
  });

  it('filters secret query parameters in the URL and the query string', () => {
    const event = scrubEvent(
      eventFor({ url: 'https://keel.example.com/v1/files?api_key=abc&page=2', query_string: 'token=t&page=2' }),
    );
    expect(event.request?.url).toBe('https://keel.example.com/v1/files?api_key=%5BFiltered%5D&page=2');
    expect(event.request?.query_string).toBe('token=%5BFiltered%5D&page=2');
  });

  it('drops the whole body of authentication and provider-credential routes', () => {
    for (const path of [
      '/console/api/login',
      '/console/api/refresh-token',
      '/console/api/forgot-password/resets',
      '/console/api/account/password',
      '/console/api/workspaces/current/model-providers/openai/credentials',
    ]) {
      const event = scrubEvent(eventFor({ url: `http://keel${path}`, data: { email: 'a@b.c', anything: 'x' } }));
      expect(event.request?.data).toBe(FILTERED);
    }
  });

  it('scrubs nested secret fields elsewhere, also inside JSON strings, and keeps the rest', () => {
    const event = scrubEvent(
      eventFor(
        {
          url: 'http://keel/v1/chat-messages',
          data: JSON.stringify({ query: 'hi', inputs: { openai_api_key: 'sk-1' }, credentials: { key: 'v' } }),
        },
        { provider: { client_secret: 'cs', region: 'eu' } },
      ),
    );
    expect(event.request?.data).toEqual({ query: 'hi', inputs: { openai_api_key: FILTERED }, credentials: FILTERED });
    expect(event.extra).toEqual({ provider: { client_secret: FILTERED, region: 'eu' } });
  });

  it('removes the client address and e-mail from the user', () => {
    const event = scrubEvent({ type: undefined, user: { id: 'acc-1', ip_address: '10.0.0.1', email: 'a@b.c' } });
    expect(event.user).toEqual({ id: 'acc-1' });
  });
});
