import { loadAt } from '../../test/support/config';
import { ConfigValidationError } from './config-validation.error';

describe('loadConfig: console accounts', () => {
  const load = loadAt;

  it('reads the console account settings, with defaults', () => {
    expect(load({}).auth).toEqual({
      initPassword: undefined,
      passwordLoginEnabled: true,
      loginMaxAttempts: 5,
      loginAttemptWindowMs: 900_000,
      accessTokenTtlSeconds: 3600,
      refreshTokenTtlMs: 30 * 86_400_000,
      invitationTtlHours: 72,
      passwordResetTtlMinutes: 5,
    });
    expect(
      load({ INIT_PASSWORD: 'let-me-in', ENABLE_PASSWORD_LOGIN: 'false', ACCESS_TOKEN_EXPIRE_MINUTES: '15' }).auth,
    ).toMatchObject({ initPassword: 'let-me-in', passwordLoginEnabled: false, accessTokenTtlSeconds: 900 });
  });

  it('names each bad variable', () => {
    let error: unknown;
    try {
      load({ LOGIN_MAX_ATTEMPTS: '0', INIT_PASSWORD: 'x'.repeat(31), REFRESH_TOKEN_EXPIRE_DAYS: 'soon' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).problems.map((p) => p.variable).sort()).toEqual([
      'INIT_PASSWORD',
      'LOGIN_MAX_ATTEMPTS',
      'REFRESH_TOKEN_EXPIRE_DAYS',
    ]);
  });
});
