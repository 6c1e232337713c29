import { z } from 'zod';
import { InvalidParamException } from '../../../common/errors/common.exceptions';

/** The credential fields that are secrets: encrypted at rest like the rest, masked when shown. */
export const API_TOOL_SECRET_CREDENTIAL_FIELDS = ['api_key_value'] as const;

export const API_TOOL_AUTH_TYPES = ['none', 'api_key_header', 'api_key_query'] as const;
export const API_KEY_HEADER_PREFIXES = ['basic', 'bearer', 'custom'] as const;

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The console sends every field of its form; an empty one means "not set". */
const blankToUndefined = (value: unknown) =>
  value === null || (typeof value === 'string' && value.trim() === '') ? undefined : value;

const apiKeyValue = (authType: string) =>
  z
    .string({ error: `api_key_value is required when auth_type is ${authType}` })
    .min(1, { error: `api_key_value is required when auth_type is ${authType}` })
    .refine((value) => !/[\r\n\0]/.test(value), { error: 'api_key_value must not contain line breaks' });

/**
 * A custom API tool provider's credentials (Dify's `auth_type` and its fields). Dify's older
 * `auth_type: api_key` reads as `api_key_header`. Each message names the field it is about.
 */
export const apiToolCredentialsSchema = z.preprocess(
  (value) =>
    typeof value === 'object' && value !== null && (value as { auth_type?: unknown }).auth_type === 'api_key'
      ? { ...value, auth_type: 'api_key_header' }
      : value,
  z.discriminatedUnion(
    'auth_type',
    [
      z.object({ auth_type: z.literal('none') }),
      z.object({
        auth_type: z.literal('api_key_header'),
        api_key_header: z.preprocess(
          blankToUndefined,
          z
            .string({ error: 'api_key_header must be a string' })
            .trim()
            .regex(HEADER_NAME, {
              error: 'api_key_header must be an HTTP header name, such as Authorization or X-API-Key',
            })
            .default('Authorization'),
        ),
        api_key_value: apiKeyValue('api_key_header'),
        api_key_header_prefix: z.preprocess(
          blankToUndefined,
          z
            .enum(API_KEY_HEADER_PREFIXES, { error: 'api_key_header_prefix must be basic, bearer or custom' })
            .default('custom'),
        ),
      }),
      z.object({
        auth_type: z.literal('api_key_query'),
        api_key_query_param: z.preprocess(
          blankToUndefined,
          z.string({ error: 'api_key_query_param must be a string' }).trim().default('key'),
        ),
        api_key_value: apiKeyValue('api_key_query'),
      }),
    ],
    { error: 'auth_type must be none, api_key_header or api_key_query' },
  ),
);

export type ApiToolCredentials = z.output<typeof apiToolCredentialsSchema>;

/** Validates credentials as the console sent them; a mistake is a 400 `invalid_param` naming the field. */
export function parseApiToolCredentials(input: unknown): ApiToolCredentials {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidParamException('credentials', 'credentials must be an object with an auth_type');
  }
  const result = apiToolCredentialsSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.map(String).join('.') || 'auth_type';
  throw new InvalidParamException(field, issue.message);
}

/**
 * The header credentials add: `bearer` → `Bearer <value>`, `basic` → `Basic <value>` (the value
 * as given, not encoded — Dify's rule), `custom` → the value alone.
 */
export function credentialHeaders(credentials: ApiToolCredentials): Record<string, string> {
  if (credentials.auth_type !== 'api_key_header') return {};
  const value = credentials.api_key_value;
  const prefixed =
    credentials.api_key_header_prefix === 'bearer'
      ? `Bearer ${value}`
      : credentials.api_key_header_prefix === 'basic'
        ? `Basic ${value}`
        : value;
  return { [credentials.api_key_header]: prefixed };
}

/** The query parameters credentials add. */
export function credentialQuery(credentials: ApiToolCredentials): Record<string, string> {
  if (credentials.auth_type !== 'api_key_query') return {};
  return { [credentials.api_key_query_param]: credentials.api_key_value };
}
