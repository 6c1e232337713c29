import { loadConfig } from '../../src/config/config.loader';
import { type ConfigProblem, ConfigValidationError } from '../../src/config/config-validation.error';

/** Loads from `env` alone (no .env file), with a valid SECRET_KEY unless `env` sets one. */
export const loadAt = (env: Record<string, string>, cwd = '/srv/keel') =>
  loadConfig({ env: { SECRET_KEY: 's'.repeat(32), ...env }, envFile: false, cwd });

/** The problems a rejected configuration reports. */
export function problemsAt(env: Record<string, string>): ConfigProblem[] {
  try {
    loadAt(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as ConfigValidationError).problems;
  }
  throw new Error('expected the configuration to be rejected');
}
