import request from 'supertest';
import { bootTestApp, type TestApp } from '../support/test-app';
import { OWNER } from '../support/console';

describe('first-run setup', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp();
  });

  afterAll(() => t.close());

  it('starts not set up, and every authenticated console route answers 401 unauthorized', async () => {
    expect((await request(t.baseUrl).get('/console/api/setup').expect(200)).body).toEqual({ step: 'not_started' });
    expect((await request(t.baseUrl).get('/console/api/init').expect(200)).body).toEqual({ status: 'finished' });
    const res = await request(t.baseUrl).get('/console/api/account/profile').expect(401);
    expect(res.body).toEqual({ code: 'unauthorized', message: 'Invalid or missing access token.', status: 401 });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('refuses bad input with invalid_param and writes nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...OWNER, password: 'short1' }, 'password'],
      [{ ...OWNER, password: 'lettersonly' }, 'password'],
      [{ ...OWNER, password: '12345678901' }, 'password'],
      [{ ...OWNER, email: 'not-an-email' }, 'email'],
      [{ email: OWNER.email, password: OWNER.password }, 'name'],
      [{ ...OWNER, name: 'x'.repeat(31) }, 'name'],
    ];
    for (const [body, field] of cases) {
      const res = await request(t.baseUrl).post('/console/api/setup').send(body).expect(400);
      expect(res.body.code).toBe('invalid_param');
      expect(res.body.message).toContain(field);
    }
    expect((await request(t.baseUrl).get('/console/api/setup').expect(200)).body).toEqual({ step: 'not_started' });
    await request(t.baseUrl).post('/console/api/login').send(OWNER).expect(401);
  });

  it('creates the owner and its workspace once, even when two setups race; the loser is 403 already_setup', async () => {
    const racer = { ...OWNER, email: 'racer@example.com', name: 'Rae Racer' };
    const [a, b] = await Promise.all([
      request(t.baseUrl).post('/console/api/setup').send(OWNER),
      request(t.baseUrl).post('/console/api/setup').send(racer),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 403]);
    const [winner, loser] = a.status === 201 ? [OWNER, racer] : [racer, OWNER];
    expect((a.status === 201 ? a : b).body).toEqual({ result: 'success' });
    expect((a.status === 201 ? b : a).body.code).toBe('already_setup');
    // Nothing of the losing setup remains.
    await request(t.baseUrl).post('/console/api/login').send(loser).expect(401);

    const status = await request(t.baseUrl).get('/console/api/setup').expect(200);
    expect(status.body.step).toBe('finished');
    const again = await request(t.baseUrl)
      .post('/console/api/setup')
      .send({ ...OWNER, email: 'intruder@example.com' })
      .expect(403);
    expect(again.body.code).toBe('already_setup');
    await request(t.baseUrl)
      .post('/console/api/login')
      .send({ email: 'intruder@example.com', password: OWNER.password })
      .expect(401);

    const login = await request(t.baseUrl).post('/console/api/login').send(winner).expect(200);
    const auth = { Authorization: `Bearer ${login.body.data.access_token}` };
    const current = await request(t.baseUrl).get('/console/api/workspaces/current').set(auth).expect(200);
    expect(current.body).toMatchObject({ name: `${winner.name}'s Workspace`, role: 'owner', status: 'normal' });
    const members = await request(t.baseUrl).get('/console/api/workspaces/current/members').set(auth).expect(200);
    expect(members.body.accounts).toEqual([
      expect.objectContaining({ email: winner.email, name: winner.name, role: 'owner', status: 'active' }),
    ]);
    const workspaces = await request(t.baseUrl).get('/console/api/workspaces').set(auth).expect(200);
    expect(workspaces.body.workspaces).toHaveLength(1);
  });
});

describe('first-run setup behind INIT_PASSWORD', () => {
  let t: TestApp;
  const INIT = 'open-sesame-42';

  beforeAll(async () => {
    t = await bootTestApp({ INIT_PASSWORD: INIT });
  });

  afterAll(() => t.close());

  it('refuses the setup until POST /init is passed, then lets that browser set up once', async () => {
    expect((await request(t.baseUrl).get('/console/api/init').expect(200)).body).toEqual({ status: 'not_started' });
    const early = await request(t.baseUrl).post('/console/api/setup').send(OWNER).expect(401);
    expect(early.body.code).toBe('not_init_validated');

    const wrong = await request(t.baseUrl).post('/console/api/init').send({ password: 'guess-1' }).expect(401);
    expect(wrong.body.code).toBe('init_validate_failed');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const missing = await request(t.baseUrl).post('/console/api/init').send({}).expect(400);
    expect(missing.body.code).toBe('invalid_param');

    const passed = await request(t.baseUrl).post('/console/api/init').send({ password: INIT }).expect(201);
    expect(passed.body).toEqual({ result: 'success' });
    const cookie = (passed.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
    expect(cookie).toMatch(/^keel_init_validated=/);

    expect((await request(t.baseUrl).get('/console/api/init').set('Cookie', cookie).expect(200)).body).toEqual({
      status: 'finished',
    });
    // Another browser (no cookie), or a forged cookie, is still refused.
    await request(t.baseUrl).post('/console/api/setup').send(OWNER).expect(401);
    const forged = cookie.replace(/\.[^.]+$/, '.AAAA');
    await request(t.baseUrl).post('/console/api/setup').set('Cookie', forged).send(OWNER).expect(401);

    await request(t.baseUrl).post('/console/api/setup').set('Cookie', cookie).send(OWNER).expect(201);
    await request(t.baseUrl).post('/console/api/setup').set('Cookie', cookie).send(OWNER).expect(403);
    const late = await request(t.baseUrl).post('/console/api/init').send({ password: INIT }).expect(403);
    expect(late.body.code).toBe('already_setup');
    await request(t.baseUrl).post('/console/api/login').send(OWNER).expect(200);
  });
});
