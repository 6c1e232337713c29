import request from 'supertest';
import { DataSource } from 'typeorm';
import { UploadFile } from '../../src/modules/files/upload-file.entity';
import { bearer, type Session, setupOwner } from '../support/console';
import { StorageService } from '@keel/storage';
import { FakeOpenAiUpstream } from '../support/fake-openai-upstream';
import { configureProvider, currentWorkspaceId, type SeededApp, seedApp } from '../support/service-api';
import { bootTestApp, type TestApp } from '../support/test-app';

// A 1×1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

/** /v1/files/upload and /v1/files/:id/preview through the local storage driver, and files in chats. */
describe('Service API: files', () => {
  const upstream = new FakeOpenAiUpstream();
  let t: TestApp;
  let app: SeededApp;
  let other: SeededApp;
  let owner: Session;

  const upload = (key: string, user: string | undefined, file: { name: string; data: Buffer } | null) => {
    const req = request(t.baseUrl).post('/v1/files/upload').set('Authorization', `Bearer ${key}`);
    if (user !== undefined) void req.field('user', user);
    if (file) void req.attach('file', file.data, file.name);
    return req;
  };
  const uploads = () => t.app.get(DataSource).getRepository(UploadFile);

  beforeAll(async () => {
    await upstream.start();
    t = await bootTestApp({ MODEL_REQUEST_MAX_RETRIES: '0' });
    owner = await setupOwner(t);
    const workspaceId = await currentWorkspaceId(t, owner);
    await configureProvider(t, owner, { endpoint_url: upstream.baseUrl });
    const vision = {
      model: { provider: 'openai_api_compatible', name: 'gpt-4o-mini' },
      file_upload: { image: { enabled: true, number_limits: 2, transfer_methods: ['local_file', 'remote_url'] } },
    };
    app = await seedApp(t, workspaceId, { modelConfig: vision });
    other = await seedApp(t, workspaceId, { modelConfig: vision });
  });

  afterAll(async () => {
    await t?.close();
    await upstream.stop();
  });

  it('stores an upload (201, Dify’s fields) and previews it to its uploader only', async () => {
    const res = await upload(app.key, 'uma', { name: 'pixel ünïcode.png', data: PNG }).expect(201);
    expect(res.body).toMatchObject({
      name: 'pixel ünïcode.png',
      size: PNG.length,
      extension: 'png',
      mime_type: 'image/png',
      preview_url: null,
    });
    expect(typeof res.body.created_at).toBe('number');
    expect(res.body.source_url).toMatch(/\/storage\/download\?/);

    const preview = await request(t.baseUrl)
      .get(`/v1/files/${res.body.id as string}/preview?user=uma`)
      .set('Authorization', `Bearer ${app.key}`)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(Buffer.compare(preview.body as Buffer, PNG)).toBe(0);
    expect(preview.headers['content-type']).toBe('image/png');
    expect(preview.headers['content-disposition']).toMatch(/^inline; /);
    expect(preview.headers['x-content-type-options']).toBe('nosniff');
    const attachment = await request(t.baseUrl)
      .get(`/v1/files/${res.body.id as string}/preview?user=uma&as_attachment=true`)
      .set('Authorization', `Bearer ${app.key}`)
      .expect(200);
    expect(attachment.headers['content-disposition']).toMatch(
      /^attachment; filename="pixel _n_code.png"; filename\*=UTF-8''pixel%20%C3%BCn%C3%AFcode.png$/,
    );

    for (const [key, user] of [
      [app.key, 'someone-else'],
      [other.key, 'uma'],
    ]) {
      await request(t.baseUrl)
        .get(`/v1/files/${res.body.id as string}/preview?user=${user}`)
        .set('Authorization', `Bearer ${key}`)
        .expect(404);
    }
  });

  it('refuses bad uploads with Dify’s codes and keeps nothing', async () => {
    const before = await uploads().count();
    const cases: Array<[ReturnType<typeof upload>, number, string]> = [
      [upload(app.key, 'u', null), 400, 'no_file_uploaded'],
      [upload(app.key, undefined, { name: 'a.png', data: PNG }), 400, 'invalid_param'],
      [upload(app.key, 'u', { name: 'tool.exe', data: Buffer.from('MZ') }), 415, 'unsupported_file_type'],
      [upload(app.key, 'u', { name: 'drawing.svg', data: Buffer.from('<svg/>') }), 415, 'unsupported_file_type'],
      [upload(app.key, 'u', { name: 'big.png', data: Buffer.alloc(10 * 1024 * 1024 + 1) }), 413, 'file_too_large'],
      [upload(app.key, 'u', { name: 'huge.txt', data: Buffer.alloc(15 * 1024 * 1024 + 1) }), 413, 'file_too_large'],
    ];
    for (const [req, status, code] of cases) expect((await req.expect(status)).body.code).toBe(code);
    const two = await request(t.baseUrl)
      .post('/v1/files/upload')
      .set('Authorization', `Bearer ${app.key}`)
      .field('user', 'u')
      .attach('file', PNG, 'a.png')
      .attach('file', PNG, 'b.png')
      .expect(400);
    expect(two.body.code).toBe('too_many_files');
    expect(await uploads().count()).toBe(before);
  });

  it('sends an uploaded image to the model as a data URL, and refuses someone else’s upload', async () => {
    const res = await upload(app.key, 'vic', { name: 'p.png', data: PNG }).expect(201);
    const file = { type: 'image', transfer_method: 'local_file', upload_file_id: res.body.id as string };
    await request(t.baseUrl)
      .post('/v1/chat-messages')
      .set('Authorization', `Bearer ${app.key}`)
      .send({ inputs: {}, query: 'describe', user: 'vic', files: [file] })
      .expect(200);
    expect(upstream.lastCall()?.body.messages.at(-1)?.content).toEqual([
      { type: 'text', text: 'describe' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}`, detail: 'high' } },
    ]);
    const stolen = await request(t.baseUrl)
      .post('/v1/chat-messages')
      .set('Authorization', `Bearer ${app.key}`)
      .send({ inputs: {}, query: 'describe', user: 'mallory', files: [file] })
      .expect(400);
    expect(stolen.body.message).toContain('not found');
    const doc = await upload(app.key, 'vic', { name: 'notes.txt', data: Buffer.from('hello') }).expect(201);
    const notImage = await request(t.baseUrl)
      .post('/v1/chat-messages')
      .set('Authorization', `Bearer ${app.key}`)
      .send({ inputs: {}, query: 'x', user: 'vic', files: [{ ...file, upload_file_id: doc.body.id as string }] })
      .expect(415);
    expect(notImage.body.code).toBe('unsupported_file_type');
  });

  it('removes an app’s uploads, rows and stored bytes, when the app is deleted', async () => {
    const res = await upload(other.key, 'wes', { name: 'gone.png', data: PNG }).expect(201);
    const row = await uploads().findOneByOrFail({ id: res.body.id as string });
    expect(await t.app.get(StorageService).exists(row.storageKey)).toBe(true);
    await request(t.baseUrl).delete(`/console/api/apps/${other.app.id}`).set(bearer(owner.access)).expect(204);
    expect(await uploads().countBy({ appId: other.app.id })).toBe(0);
    expect(await t.app.get(StorageService).exists(row.storageKey)).toBe(false);
  });
});
