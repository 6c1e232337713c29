import type { AppConfig } from './app-config';
import { loadConfig } from './config.loader';
import { ConfigValidationError } from './config-validation.error';

/** For entry points: a bad environment prints every problem and exits 1 before anything starts. */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
