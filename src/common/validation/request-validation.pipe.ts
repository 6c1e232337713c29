import { type ArgumentMetadata, Injectable } from '@nestjs/common';
import { createZodValidationPipe } from 'nestjs-zod';
import type { ZodError } from 'zod';
import { InvalidJsonPayloadException, InvalidParamException } from '../errors/common.exceptions';

/** Dify answers a bad field with 400 `invalid_param` and a message that names the field. */
export function invalidParamFrom(error: unknown): InvalidParamException {
  const issue = (error as Partial<ZodError>).issues?.[0];
  const field = issue?.path.length ? issue.path.map(String).join('.') : 'body';
  if (!issue) return new InvalidParamException(field, `${field} is invalid`);
  const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
  return new InvalidParamException(field, missing ? `${field} is required` : `${field}: ${issue.message}`);
}

const ZodPipe = createZodValidationPipe({ createValidationException: invalidParamFrom });

/**
 * Validates every DTO built with `createZodDto`. A whole-body parameter with no body at all is
 * Dify's invalid-JSON error, not a field error: the client sent nothing to validate.
 */
@Injectable()
export class RequestValidationPipe extends ZodPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' && metadata.data === undefined && value === undefined) {
      throw new InvalidJsonPayloadException();
    }
    return super.transform(value, metadata);
  }
}
