import type { ErrorBody } from './global-exception.filter';

/**
 * The OpenAI-compatible face's paths: the two it serves (`/v1/models`, `/v1/chat/completions`)
 * and OpenAI paths it does not serve, which answer 404 in OpenAI's envelope so that an OpenAI
 * client says "not found" instead of failing to parse. Every other `/v1` path is Dify's.
 */
const OPENAI_PATH = /^\/v1\/(models|chat\/completions|completions|embeddings|responses|moderations|images|audio)(\/|$)/;
const SERVED_PATH = /^\/v1\/(models|chat\/completions)(\/|$)/;

export function isOpenAiPath(path: string): boolean {
  return OPENAI_PATH.test(path);
}

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

// Keel's codes where OpenAI has its own name for the same thing; the rest keep Keel's code.
const OPENAI_CODES: Record<string, string | null> = {
  unauthorized: 'invalid_api_key',
  rate_limit_error: 'rate_limit_exceeded',
  invalid_param: null,
  bad_request: null,
  not_found: 'not_found',
};

function typeOf(status: number): string {
  if (status === 429) return 'requests';
  if (status === 502) return 'upstream_error';
  if (status >= 500) return 'server_error';
  if (status === 403) return 'permission_error';
  return 'invalid_request_error';
}

/** An error rendered for the Dify envelope, in OpenAI's `{error: {message, type, param, code}}`. */
export function openAiErrorOf(body: ErrorBody, param: string | null): OpenAiErrorBody {
  const code = body.code in OPENAI_CODES ? OPENAI_CODES[body.code] : body.code;
  return { error: { message: body.message, type: typeOf(body.status), param, code } };
}

/** The answer to an OpenAI path Keel does not serve (no route matched), or undefined for any other path. */
export function unservedOpenAiPath(method: string, path: string): ErrorBody | undefined {
  if (!isOpenAiPath(path) || SERVED_PATH.test(path)) return undefined;
  return {
    status: 404,
    code: 'unknown_url',
    message: `Keel does not serve ${method} ${path}: its OpenAI-compatible API has /v1/models and /v1/chat/completions.`,
  };
}
