import { REDACTED, redactSecrets, redactUrl } from './redact';

describe('redactSecrets', () => {
  it('masks secret-looking keys at any depth and keeps the rest', () => {
    const input = {
      user: 'ada',
      password: 'p',
      nested: { api_key: 'k', apiKey: 'k2', items: [{ refresh_token: 't', note: 'ok' }] },
      headers: { authorization: 'Bearer x', cookie: 'c', 'x-api-key': 'y', accept: '*/*' },
      credentials: { anything: 1 },
      client_secret: 's',
    };
    expect(redactSecrets(input)).toEqual({
      user: 'ada',
      password: REDACTED,
      nested: { api_key: REDACTED, apiKey: REDACTED, items: [{ refresh_token: REDACTED, note: 'ok' }] },
      headers: { authorization: REDACTED, cookie: REDACTED, 'x-api-key': REDACTED, accept: '*/*' },
      credentials: REDACTED,
      client_secret: REDACTED,
    });
  });

  it('does not modify its input', () => {
    const input = { token: 't' };
    redactSecrets(input);
    expect(input.token).toBe('t');
  });

  it('leaves primitives and errors alone', () => {
    const error = new Error('x');
    expect(redactSecrets('token')).toBe('token');
    expect(redactSecrets(error)).toBe(error);
  });
});

describe('redactUrl', () => {
  it('masks secret query parameters and OAuth codes', () => {
    expect(redactUrl('/cb?code=abc&state=s1&page=2')).toBe(
      `/cb?code=${encodeURIComponent(REDACTED)}&state=${encodeURIComponent(REDACTED)}&page=2`,
    );
    expect(redactUrl('/x?api_key=secret')).not.toContain('secret');
  });

  it('returns URLs without secrets unchanged', () => {
    expect(redactUrl('/v1/messages?limit=20&first_id=abc')).toBe('/v1/messages?limit=20&first_id=abc');
    expect(redactUrl('/health/live')).toBe('/health/live');
  });
});
