import type { APIError } from 'openai';

/** Why an upstream call failed, in the terms Dify's error codes distinguish. */
export type UpstreamFailure = 'auth' | 'quota' | 'model' | 'aborted' | 'other';

const DIFY_CODES: Record<Exclude<UpstreamFailure, 'aborted'>, string> = {
  auth: 'provider_not_initialize',
  quota: 'provider_quota_exceeded',
  model: 'model_currently_not_support',
  other: 'completion_request_error',
};

export class UpstreamError extends Error {
  constructor(
    readonly failure: UpstreamFailure,
    message: string,
    readonly upstreamStatus?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamError';
  }

  /** Dify's error code for this failure (the Service API's `code`). */
  get difyCode(): string {
    return this.failure === 'aborted' ? 'completion_request_error' : DIFY_CODES[this.failure];
  }

  /** Turns whatever the SDK threw into an `UpstreamError` carrying the upstream's own reason. */
  static from(error: unknown): UpstreamError {
    if (error instanceof UpstreamError) return error;
    // The SDK is loaded by then (only its calls produce these); requiring it here keeps it off boot.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate lazy loading
    const { APIConnectionError, APIError, APIUserAbortError } = require('openai') as typeof import('openai');
    if (error instanceof APIUserAbortError)
      return new UpstreamError('aborted', 'The request was aborted.', undefined, { cause: error });
    if (error instanceof APIConnectionError) {
      return new UpstreamError('other', `Cannot reach the model provider: ${error.message}`, undefined, {
        cause: error,
      });
    }
    if (error instanceof APIError) {
      const apiError = error as APIError<number | undefined, Headers | undefined, object | undefined>;
      const status = apiError.status;
      const reason = upstreamMessage(apiError);
      const code = typeof apiError.code === 'string' ? apiError.code : '';
      if (status === 401 || status === 403 || code === 'invalid_api_key')
        return new UpstreamError('auth', reason, status, { cause: error });
      if (status === 429 || code === 'insufficient_quota')
        return new UpstreamError('quota', reason, status, { cause: error });
      if (status === 404 || code === 'model_not_found')
        return new UpstreamError('model', reason, status, { cause: error });
      return new UpstreamError('other', reason, status, { cause: error });
    }
    if (error instanceof Error && error.name === 'AbortError') {
      return new UpstreamError('aborted', 'The request was aborted.', undefined, { cause: error });
    }
    return new UpstreamError('other', error instanceof Error ? error.message : String(error), undefined, {
      cause: error,
    });
  }
}

/** The upstream's `error.message` when it sent one, else the SDK's summary. */
function upstreamMessage(error: APIError<number | undefined, Headers | undefined, object | undefined>): string {
  const body = error.error as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string' && body.message) return body.message;
  return error.message;
}
