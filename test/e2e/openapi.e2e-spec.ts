import { readFileSync } from 'node:fs';
import request from 'supertest';
import { OPENAPI_FILE, serialiseOpenApi } from '../../src/openapi.generate';
import { bootTestApp, type TestApp } from '../support/test-app';

describe('committed OpenAPI document', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ DB_DATABASE: ':memory:' });
  });

  afterAll(() => t.close());

  it('matches what the controllers generate (run `npm run openapi` after changing the API)', async () => {
    const res = await request(t.baseUrl).get('/docs-json').expect(200);
    expect(serialiseOpenApi(res.body)).toBe(readFileSync(OPENAPI_FILE, 'utf8'));
  });
});
