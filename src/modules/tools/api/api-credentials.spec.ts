import { InvalidParamException } from '../../../common/errors/common.exceptions';
import {
  API_TOOL_SECRET_CREDENTIAL_FIELDS,
  credentialHeaders,
  credentialQuery,
  parseApiToolCredentials,
} from './api-credentials';

function refusal(input: unknown): InvalidParamException {
  try {
    parseApiToolCredentials(input);
  } catch (error) {
    if (error instanceof InvalidParamException) return error;
    throw error;
  }
  throw new Error('expected the credentials to be refused');
}

describe('API tool credentials', () => {
  it('reads each auth type, filling in the defaults and dropping fields of other types', () => {
    expect(parseApiToolCredentials({ auth_type: 'none', api_key_value: '', api_key_header: 'Authorization' })).toEqual({
      auth_type: 'none',
    });
    expect(parseApiToolCredentials({ auth_type: 'api_key_header', api_key_value: 'k' })).toEqual({
      auth_type: 'api_key_header',
      api_key_header: 'Authorization',
      api_key_value: 'k',
      api_key_header_prefix: 'custom',
    });
    // The console sends every field of its form; empty ones mean "the default".
    expect(
      parseApiToolCredentials({
        auth_type: 'api_key_header',
        api_key_header: ' ',
        api_key_value: 'k',
        api_key_header_prefix: '',
      }),
    ).toMatchObject({ api_key_header: 'Authorization', api_key_header_prefix: 'custom' });
    expect(
      parseApiToolCredentials({ auth_type: 'api_key_query', api_key_value: 'k', api_key_query_param: null }),
    ).toEqual({
      auth_type: 'api_key_query',
      api_key_query_param: 'key',
      api_key_value: 'k',
    });
    expect(
      parseApiToolCredentials({ auth_type: 'api_key', api_key_value: 'k', api_key_header_prefix: 'bearer' }),
    ).toMatchObject({
      auth_type: 'api_key_header',
      api_key_header_prefix: 'bearer',
    });
  });

  it('names the field in every refusal', () => {
    expect(refusal({ auth_type: 'oauth' })).toMatchObject({
      field: 'auth_type',
      message: 'auth_type must be none, api_key_header or api_key_query',
      code: 'invalid_param',
    });
    expect(refusal({})).toMatchObject({ field: 'auth_type' });
    expect(refusal('bearer abc')).toMatchObject({ field: 'credentials' });
    expect(refusal({ auth_type: 'api_key_header' })).toMatchObject({
      field: 'api_key_value',
      message: 'api_key_value is required when auth_type is api_key_header',
    });
    expect(refusal({ auth_type: 'api_key_query', api_key_value: '' })).toMatchObject({
      field: 'api_key_value',
      message: 'api_key_value is required when auth_type is api_key_query',
    });
    expect(refusal({ auth_type: 'api_key_header', api_key_value: 'k', api_key_header_prefix: 'token' })).toMatchObject({
      field: 'api_key_header_prefix',
      message: 'api_key_header_prefix must be basic, bearer or custom',
    });
    expect(refusal({ auth_type: 'api_key_header', api_key_value: 'k', api_key_header: 'X Key' })).toMatchObject({
      field: 'api_key_header',
    });
    expect(refusal({ auth_type: 'api_key_header', api_key_value: 'k\r\nX-Injected: 1' })).toMatchObject({
      field: 'api_key_value',
      message: 'api_key_value must not contain line breaks',
    });
    expect(refusal({ auth_type: 'oauth' }).getStatus()).toBe(400);
  });

  it("applies Dify's prefixes, the value as given", () => {
    const header = (prefix: string) =>
      credentialHeaders(
        parseApiToolCredentials({ auth_type: 'api_key_header', api_key_value: 'abc', api_key_header_prefix: prefix }),
      );
    expect(header('bearer')).toEqual({ Authorization: 'Bearer abc' });
    expect(header('basic')).toEqual({ Authorization: 'Basic abc' });
    expect(header('custom')).toEqual({ Authorization: 'abc' });
    expect(credentialQuery(parseApiToolCredentials({ auth_type: 'api_key_header', api_key_value: 'abc' }))).toEqual({});
    expect(credentialQuery(parseApiToolCredentials({ auth_type: 'api_key_query', api_key_value: 'abc' }))).toEqual({
      key: 'abc',
    });
    expect(credentialHeaders({ auth_type: 'none' })).toEqual({});
  });

  it('marks the key as the secret field', () => {
    expect(API_TOOL_SECRET_CREDENTIAL_FIELDS).toEqual(['api_key_value']);
  });
});
