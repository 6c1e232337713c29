import { httpReason } from './http-reasons';

describe('httpReason', () => {
  it.each([
    [400, 'bad_request'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [405, 'method_not_allowed'],
    [413, 'request_entity_too_large'],
    [429, 'too_many_requests'],
  ])('%i → %s', (status, code) => {
    expect(httpReason(status).code).toBe(code);
  });

  it('derives a snake_case code for statuses it has no wording for', () => {
    expect(httpReason(507)).toEqual({ code: 'insufficient_storage', message: 'Insufficient Storage' });
  });
});
