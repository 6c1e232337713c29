import { ApiException } from './api.exception';

/** Dify's wording, which its SDKs and integrations surface to users. */
export const INVALID_JSON_MESSAGE = 'Invalid JSON payload received or JSON payload is empty.';

export class InvalidJsonPayloadException extends ApiException {
  constructor(cause?: unknown) {
    super(400, 'bad_request', INVALID_JSON_MESSAGE, { cause });
  }
}

/** A request field failed validation; the message names the field. */
export class InvalidParamException extends ApiException {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(400, 'invalid_param', message);
  }
}

export class PayloadTooLargeException extends ApiException {
  constructor(limitBytes: number) {
    super(413, 'request_entity_too_large', `The request body exceeds the limit of ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaTypeException extends ApiException {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}
