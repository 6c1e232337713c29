import type { GuardedHttp } from '../../../common/ssrf/guarded-http';
import { DEFAULT_API_SCHEMA_LIMITS } from './api-schema.document';
import { ApiSchemaErrorKind, ApiSchemaException } from './api-schema.error';
import type { FetchSchemaText } from './api-schema.parser';
import { API_TOOL_USER_AGENT } from './api-request.builder';

/**
 * The `fetchText` the parser needs for OpenAI-plugin manifests, sent through the SSRF guard: a GET
 * that must answer 200 (Dify's rule) with at most `maxBytes` of schema. The guard's own errors
 * (`ssrf_blocked`, `outbound_request_failed`) pass through unchanged.
 */
export function fetchSchemaTextThrough(
  http: GuardedHttp,
  maxBytes: number = DEFAULT_API_SCHEMA_LIMITS.maxSchemaBytes,
): FetchSchemaText {
  return async (url) => {
    const response = await http.request({
      method: 'GET',
      url,
      headers: {
        'User-Agent': API_TOOL_USER_AGENT,
        Accept: 'application/json, application/yaml, text/yaml, text/plain;q=0.9, */*;q=0.8',
      },
      maxResponseBytes: maxBytes + 1,
    });
    if (response.status !== 200) {
      throw new ApiSchemaException(
        ApiSchemaErrorKind.FetchFailed,
        `cannot get the OpenAPI document from ${url}: it answered ${response.status}`,
        { path: 'api.url' },
      );
    }
    if (response.body.length > maxBytes) {
      throw new ApiSchemaException(
        ApiSchemaErrorKind.TooLarge,
        `the OpenAPI document at ${url} is over ${maxBytes} bytes`,
        { path: 'api.url' },
      );
    }
    return response.body.toString('utf8');
  };
}
