import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { InvalidJsonPayloadException, InvalidParamException } from '../errors/common.exceptions';
import { RequestValidationPipe } from './request-validation.pipe';

class LoginDto extends createZodDto(z.object({ email: z.email(), password: z.string().min(8) })) {}

describe('RequestValidationPipe', () => {
  const pipe = new RequestValidationPipe();
  const body = { type: 'body' as const, metatype: LoginDto, data: undefined };

  it('returns the parsed body when valid', () => {
    expect(pipe.transform({ email: 'a@b.co', password: 'longenough' }, body)).toEqual({
      email: 'a@b.co',
      password: 'longenough',
    });
  });

  it('answers the invalid-JSON error when the whole body is missing', () => {
    expect(() => pipe.transform(undefined, body)).toThrow(InvalidJsonPayloadException);
  });

  it('names the missing field', () => {
    const error = captureError(() => pipe.transform({ email: 'a@b.co' }, body));
    expect(error).toBeInstanceOf(InvalidParamException);
    expect(error).toMatchObject({ field: 'password', code: 'invalid_param', message: 'password is required' });
  });

  it('names an invalid field with the reason', () => {
    const error = captureError(() => pipe.transform({ email: 'nope', password: 'longenough' }, body));
    expect(error).toMatchObject({ field: 'email', message: expect.stringMatching(/^email: /) });
  });

  it('passes values without a zod DTO through untouched', () => {
    expect(pipe.transform('42', { type: 'param', metatype: String, data: 'id' })).toBe('42');
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
