import { ApiException } from '../../common/errors/api.exception';
import { InvalidParamException } from '../../common/errors/common.exceptions';
import { openAiErrorOf, type OpenAiErrorBody } from '../../common/errors/openai-envelope';
import type { UpstreamError } from '../providers/upstream.error';

// Codes of a failed model call on this face; the status is 502 for all of them (the fault is
// behind Keel, not in the request).
const UPSTREAM_CODES: Record<UpstreamError['failure'], string> = {
  auth: 'upstream_auth_failed',
  quota: 'upstream_quota_exceeded',
  model: 'upstream_model_not_found',
  aborted: 'upstream_aborted',
  other: 'upstream_error',
};

/**
 * The OpenAI-compatible face's own errors. The global filter renders every error on these paths
 * in OpenAI's envelope (`openai-envelope.ts`), so these are ordinary `ApiException`s.
 */
export const OpenAiErrors = {
  missingKey: () =>
    new ApiException(
      401,
      'invalid_api_key',
      "You didn't provide an API key. Send it in the Authorization header as 'Bearer <key>' (an app key app-… or a workspace key sk-keel-…).",
    ),
  invalidKey: () => new ApiException(401, 'invalid_api_key', 'Incorrect API key provided.'),
  expiredKey: () => new ApiException(401, 'invalid_api_key', 'This API key has expired.'),
  modelNotFound: (model: string) =>
    new ApiException(404, 'model_not_found', `The model \`${model}\` does not exist or you do not have access to it.`),
  onlyOneChoice: () => new InvalidParamException('n', 'n: only n = 1 is supported.'),
  noUserMessage: () =>
    new InvalidParamException('messages', 'messages: at least one message must have the role "user".'),
  imagesDisabled: () =>
    new InvalidParamException('messages', 'messages: this app does not accept images (its image upload is off).'),
  headerTooLong: (header: string) => new InvalidParamException(header, `${header}: must be 1 to 255 characters.`),
  /**
   * Keel already retried the provider as the SDKs would; `x-should-retry: false` keeps the
   * client's SDK from multiplying those retries.
   */
  upstreamFailed: (failure: UpstreamError) =>
    new ApiException(502, UPSTREAM_CODES[failure.failure], `The model provider failed: ${failure.message}`, {
      headers: { 'x-should-retry': 'false' },
    }),
};

/** A failure as a frame inside a stream that has already started: the same error, in the same envelope. */
export function streamErrorOf(failure: UpstreamError): OpenAiErrorBody {
  const error = OpenAiErrors.upstreamFailed(failure);
  return openAiErrorOf({ status: error.getStatus(), code: error.code, message: error.message }, null);
}
