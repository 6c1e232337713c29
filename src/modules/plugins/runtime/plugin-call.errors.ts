/**
 * Why a call into a plugin failed, with a stable `code` and the HTTP status a route that
 * surfaces it answers with.
 */
export class PluginCallError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The call ran past its time limit; the session was cancelled (and a stuck process restarted). */
export class PluginTimeoutError extends PluginCallError {
  constructor(plugin: string, timeoutMs: number) {
    super('plugin_timeout', 504, `Plugin ${plugin} did not answer within ${timeoutMs} ms.`);
  }
}

/** Every slot is busy and the wait queue is full. */
export class PluginBusyError extends PluginCallError {
  constructor(plugin: string, inFlight: number, queued: number) {
    super(
      'plugin_busy',
      429,
      `Plugin ${plugin} is busy: ${inFlight} calls are running and ${queued} are waiting; try again shortly.`,
    );
  }
}

/** The process died (crashed, killed, over its memory) while the call was open. */
export class PluginCrashedError extends PluginCallError {
  constructor(plugin: string, reason: string) {
    super('plugin_crashed', 502, `Plugin ${plugin} stopped during the call: ${reason}.`);
  }
}

/** The plugin cannot take calls: given up on after repeated failures, or shut down. */
export class PluginUnavailableError extends PluginCallError {
  constructor(plugin: string, reason: string) {
    super('plugin_unavailable', 503, `Plugin ${plugin} is unavailable: ${reason}.`);
  }
}

/** The process did not come up (exited, or no first heartbeat in time). */
export class PluginStartError extends PluginCallError {
  constructor(plugin: string, reason: string) {
    super('plugin_start_failed', 502, `Plugin ${plugin} did not start: ${reason}.`);
  }
}

/** The plugin answered the session with an error (its `error_type` kept). */
export class PluginSessionError extends PluginCallError {
  constructor(
    readonly errorType: string,
    message: string,
    readonly parameter?: string,
  ) {
    super('plugin_error', errorType === 'InvalidParameter' ? 400 : 502, `${errorType}: ${message}`);
  }
}
