import request from 'supertest';
import { DataSource } from 'typeorm';
import { ProviderCredential } from '../../src/modules/providers/provider-credential.entity';
import { addMember, bearer, seedWorkspace, login, type Session, setupOwner } from '../support/console';
import { FakeOpenAiUpstream } from '../support/fake-openai-upstream';
import { bootTestApp, type TestApp } from '../support/test-app';

const PATH = '/console/api/workspaces/current/model-providers';

/** Model provider credentials in the console, validated live against the fake upstream. */
describe('model providers (console)', () => {
  const upstream = new FakeOpenAiUpstream({ apiKeys: ['sk-upstream-key-1234'], models: ['gpt-4o-mini', 'llama3'] });
  let t: TestApp;
  let owner: Session;
  let editor: Session;

  beforeAll(async () => {
    await upstream.start();
    t = await bootTestApp({ MODEL_REQUEST_MAX_RETRIES: '0' });
    owner = await setupOwner(t);
    editor = await addMember(t, owner, 'editor@example.com', 'editor');
  });

  afterAll(async () => {
    await t?.close();
    await upstream.stop();
  });

  const save = (session: Session, provider: string, credentials: Record<string, unknown>) =>
    request(t.baseUrl).post(`${PATH}/${provider}/credentials`).set(bearer(session.access)).send({ credentials });

  it('lists the built-in providers with their credential forms, none configured', async () => {
    const res = await request(t.baseUrl).get(PATH).set(bearer(editor.access)).expect(200);
    const names = (res.body.data as { provider: string }[]).map((p) => p.provider);
    expect(names).toEqual(['openai', 'openai_api_compatible']);
    expect(res.body.data[1]).toMatchObject({
      custom_configuration: { status: 'no-configure' },
      provider_credential_schema: {
        credential_form_schemas: expect.arrayContaining([
          expect.objectContaining({ variable: 'endpoint_url', required: true }),
        ]),
      },
    });
  });

  it('refuses credentials the provider rejects, with its reason, and saves nothing', async () => {
    const res = await save(owner, 'openai_api_compatible', {
      endpoint_url: upstream.baseUrl,
      api_key: 'sk-wrong',
    }).expect(400);
    expect(res.body).toMatchObject({ code: 'invalid_param', status: 400 });
    expect(res.body.message).toMatch(/Incorrect API key provided/);
    const malformed = await save(owner, 'openai_api_compatible', { endpoint_url: 'not a url' }).expect(400);
    expect(malformed.body.message).toMatch(/^endpoint_url: /);
    expect(await t.app.get(DataSource).getRepository(ProviderCredential).count()).toBe(0);
  });

  it('saves working credentials encrypted, shows them masked, and replaces them on a second save', async () => {
    await save(owner, 'openai_api_compatible', {
      endpoint_url: upstream.baseUrl,
      api_key: 'sk-upstream-key-1234',
    }).expect(201);
    const row = await t.app
      .get(DataSource)
      .getRepository(ProviderCredential)
      .findOneByOrFail({ provider: 'openai_api_compatible' });
    expect(row.encryptedCredentials).not.toContain('sk-upstream');
    const shown = await request(t.baseUrl)
      .get(`${PATH}/openai_api_compatible/credentials`)
      .set(bearer(editor.access))
      .expect(200);
    expect(shown.body.credentials).toEqual({ endpoint_url: upstream.baseUrl, api_key: 'sk-****1234' });

    await save(owner, 'openai_api_compatible', {
      endpoint_url: upstream.baseUrl,
      api_key: 'sk-upstream-key-1234',
      models: [{ model: 'llama3', input_price: '0.5', output_price: '1.5' }],
    }).expect(201);
    expect(await t.app.get(DataSource).getRepository(ProviderCredential).count()).toBe(1);
    const models = await request(t.baseUrl)
      .get(`${PATH}/openai_api_compatible/models`)
      .set(bearer(editor.access))
      .expect(200);
    expect(models.body.data).toEqual([
      expect.objectContaining({
        model: 'llama3',
        model_type: 'llm',
        pricing: { input: '0.5', output: '1.5', unit: '0.001', currency: 'USD' },
      }),
    ]);
    const list = await request(t.baseUrl).get(PATH).set(bearer(editor.access)).expect(200);
    expect(list.body.data[1].custom_configuration.status).toBe('active');
  });

  it('lets only owners and admins change credentials', async () => {
    const res = await save(editor, 'openai_api_compatible', { endpoint_url: upstream.baseUrl }).expect(403);
    expect(res.body.code).toBe('forbidden');
    await request(t.baseUrl).delete(`${PATH}/openai_api_compatible/credentials`).set(bearer(editor.access)).expect(403);
  });

  it('keeps each workspace’s credentials to itself', async () => {
    await seedWorkspace(t, 'other@example.com', 'other-pass-1');
    const other = await login(t, 'other@example.com', 'other-pass-1');
    const shown = await request(t.baseUrl)
      .get(`${PATH}/openai_api_compatible/credentials`)
      .set(bearer(other.access))
      .expect(200);
    expect(shown.body.credentials).toBeNull();
    const models = await request(t.baseUrl)
      .get(`${PATH}/openai_api_compatible/models`)
      .set(bearer(other.access))
      .expect(400);
    expect(models.body.code).toBe('provider_not_initialize');
  });

  it('answers 404 for an unknown provider and audits changes', async () => {
    const res = await request(t.baseUrl).get(`${PATH}/nope/models`).set(bearer(owner.access)).expect(404);
    expect(res.body.code).toBe('not_found');
    await request(t.baseUrl).delete(`${PATH}/openai_api_compatible/credentials`).set(bearer(owner.access)).expect(204);
    const logs = await request(t.baseUrl)
      .get('/console/api/workspaces/current/audit-logs?action=provider.credentials_saved')
      .set(bearer(owner.access))
      .expect(200);
    expect(logs.body.total).toBe(2);
    const deleted = await request(t.baseUrl)
      .get('/console/api/workspaces/current/audit-logs?action=provider.credentials_deleted')
      .set(bearer(owner.access))
      .expect(200);
    expect(deleted.body.data[0]).toMatchObject({ target_id: 'openai_api_compatible' });
  });
});
