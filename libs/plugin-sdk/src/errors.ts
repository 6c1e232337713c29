/**
 * An error a handler throws on purpose: the session ends with `error_type` = `code` and the
 * message, as given. Anything else a handler throws ends it with `error_type: "InvokeError"`.
 */
export class PluginError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PluginError';
  }
}

/** An argument that does not fit its parameter's declaration. */
export class ParameterError extends PluginError {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super('InvalidParameter', message);
    this.name = 'ParameterError';
  }
}

/** A mistake in what the plugin declares (`defineTool`, `definePlugin`, …), thrown at definition. */
export class DefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DefinitionError';
  }
}

/** The host's answer to a backwards call was an error (or never came: `code` "Timeout"). */
export class BackwardsCallError extends PluginError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'BackwardsCallError';
  }
}
