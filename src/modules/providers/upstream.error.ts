/** Why an upstream call failed, in the terms Dify's error codes distinguish. */
export type UpstreamFailure = 'auth' | 'quota' | 'model' | 'aborted' | 'other';

const DIFY_CODES: Record<Exclude<UpstreamFailure, 'aborted'>, string> = {
  auth: 'provider_not_initialize',
  quota: 'provider_quota_exceeded',
  model: 'model_currently_not_support',
  other: 'completion_request_error',
};

/** How much of an error answer's text a message quotes when the upstream gave no reason of its own. */
const EXCERPT_CHARS = 200;

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

  static aborted(cause?: unknown): UpstreamError {
    return new UpstreamError('aborted', 'The request was aborted.', undefined, { cause });
  }

  /** Turns whatever a provider threw into an `UpstreamError` (the upstream client throws only these). */
  static from(error: unknown): UpstreamError {
    if (error instanceof UpstreamError) return error;
    if (error instanceof Error && error.name === 'AbortError') return UpstreamError.aborted(error);
    return new UpstreamError('other', error instanceof Error ? error.message : String(error), undefined, {
      cause: error,
    });
  }

  /**
   * A non-2xx answer, sorted by its status and OpenAI's `{error: {message, type, code}}` body. The
   * message is the upstream's own reason when it gave one, else the status with the body's start.
   */
  static fromResponse(status: number, statusText: string | undefined, body: string): UpstreamError {
    const { message, code } = errorOf(body);
    const reason = message ?? `${status} ${excerpt(body) || statusText || '(no body)'}`;
    let failure: UpstreamFailure = 'other';
    if (status === 401 || status === 403 || code === 'invalid_api_key') failure = 'auth';
    else if (status === 429 || code === 'insufficient_quota') failure = 'quota';
    else if (status === 404 || code === 'model_not_found') failure = 'model';
    return new UpstreamError(failure, reason, status);
  }
}

/** The reason and code in an error body: `{error: {message, code}}`, `{error: "…"}` or `{message: "…"}`. */
export function errorOf(body: string): { message?: string; code?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== 'object') return {};
  const { error, message } = parsed as { error?: unknown; message?: unknown };
  if (typeof error === 'string' && error) return { message: error };
  if (error && typeof error === 'object') {
    const fields = error as { message?: unknown; code?: unknown };
    return {
      message:
        typeof fields.message === 'string' && fields.message
          ? fields.message
          : typeof message === 'string' && message
            ? message
            : JSON.stringify(error),
      code: typeof fields.code === 'string' ? fields.code : undefined,
    };
  }
  if (typeof message === 'string' && message) return { message };
  return {};
}

function excerpt(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}
