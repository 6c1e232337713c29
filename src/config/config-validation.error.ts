export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Thrown by the loader when the environment is invalid; lists every bad variable at once. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}
