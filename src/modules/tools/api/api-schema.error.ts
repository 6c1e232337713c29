import { ApiException } from '../../../common/errors/api.exception';

/** What is wrong with a custom API tool schema. */
export enum ApiSchemaErrorKind {
  /** The text is over the size cap. */
  TooLarge = 'too_large',
  /** Neither JSON nor YAML (the message carries the parser's line and column). */
  Syntax = 'syntax',
  /** Parses, but is not an OpenAPI 3, Swagger 2.0 or OpenAI-plugin document. */
  NotAnApiSchema = 'not_an_api_schema',
  /** Recognised, but a required part is missing or has the wrong shape (the message names where). */
  Invalid = 'invalid',
  /** A `$ref` to another file or URL: never fetched. */
  ExternalRef = 'external_ref',
  /** A local `$ref` that points nowhere or goes round in a circle. */
  BadRef = 'bad_ref',
  /** Two operations share an `operationId`. */
  DuplicateOperation = 'duplicate_operation',
  /** Over the operations cap, or nested too deep, or expands too much once references are followed. */
  TooComplex = 'too_complex',
  /** An OpenAI-plugin manifest whose `api.type` is not `openapi`, or that cannot be fetched here. */
  Unsupported = 'unsupported',
  /** The OpenAPI document an OpenAI-plugin manifest points to could not be fetched. */
  FetchFailed = 'fetch_failed',
}

/**
 * A custom API tool schema Keel cannot use. On the wire it is Dify's answer to the same mistake:
 * 400 `invalid_param` with `invalid schema: …`; `kind` says what went wrong for callers that care,
 * and `location` where, when known (a path into the document such as `paths["/pets"].get`, or the
 * line and column of a syntax error).
 */
export class ApiSchemaException extends ApiException {
  constructor(
    readonly kind: ApiSchemaErrorKind,
    readonly detail: string,
    readonly location?: { path?: string; line?: number; column?: number },
  ) {
    super(400, 'invalid_param', `invalid schema: ${detail}`);
  }
}
