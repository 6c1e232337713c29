import { MAIL_QUEUE } from '@keel/mail';
import { QueueService } from '@keel/queue';
import request from 'supertest';
import { bearer, login, OWNER, setupOwner } from '../support/console';
import { SmtpSink } from '../support/smtp-sink';
import { bootTestApp, type TestApp } from '../support/test-app';

describe('password reset by emailed code through a real SMTP server', () => {
  let smtp: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    t = await bootTestApp({ MAIL_DRIVER: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port) });
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const post = (path: string, body: object) =>
    request(t.baseUrl).post(`/console/api/forgot-password${path}`).send(body);

  it('mails a code; the code buys a reset token; the reset sets the password and ends every session', async () => {
    const before = await setupOwner(t);
    const started = await post('', { email: OWNER.email }).expect(200);
    expect(started.body).toEqual({ result: 'success', data: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const mail = await smtp.waitFor((m) => m.subject === 'Reset your Keel password');
    expect(SmtpSink.recipientOf(mail)).toBe(OWNER.email);
    const code = /\b(\d{6})\b/.exec(mail.text ?? '')?.[1];
    expect(code).toBeDefined();

    const again = await post('', { email: OWNER.email }).expect(429);
    expect(again.body.code).toBe('password_reset_rate_limit_exceeded');
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);

    const wrongCode = code === '000000' ? '111111' : '000000';
    const wrong = await post('/validity', { email: OWNER.email, code: wrongCode, token: started.body.data }).expect(
      400,
    );
    expect(wrong.body.code).toBe('email_code_error');
    const otherEmail = await post('/validity', { email: 'x@example.com', code, token: started.body.data }).expect(400);
    expect(otherEmail.body.code).toBe('invalid_email');

    const checked = await post('/validity', { email: OWNER.email, code, token: started.body.data }).expect(200);
    expect(checked.body).toEqual({ is_valid: true, email: OWNER.email, token: expect.any(String) });
    // The code token is spent; only the new one resets.
    const spent = await post('/validity', { email: OWNER.email, code, token: started.body.data }).expect(400);
    expect(spent.body.code).toBe('invalid_or_expired_token');
    const early = await post('/resets', {
      token: started.body.data,
      new_password: 'reset-pass-7',
      password_confirm: 'reset-pass-7',
    }).expect(400);
    expect(early.body.code).toBe('invalid_or_expired_token');

    const token = checked.body.token as string;
    const mismatch = await post('/resets', {
      token,
      new_password: 'reset-pass-7',
      password_confirm: 'reset-pass-8',
    }).expect(400);
    expect(mismatch.body.code).toBe('password_mismatch');
    const weak = await post('/resets', { token, new_password: 'password', password_confirm: 'password' }).expect(400);
    expect(weak.body.code).toBe('invalid_param');
    // Refused resets change nothing.
    await login(t, OWNER.email, OWNER.password);

    expect(
      (await post('/resets', { token, new_password: 'reset-pass-7', password_confirm: 'reset-pass-7' }).expect(200))
        .body,
    ).toEqual({
      result: 'success',
    });
    await request(t.baseUrl).get('/console/api/account/profile').set(bearer(before.access)).expect(401);
    await request(t.baseUrl).post('/console/api/refresh-token').send({ refresh_token: before.refresh }).expect(401);
    await request(t.baseUrl).post('/console/api/login').send(OWNER).expect(401);
    await login(t, OWNER.email, 'reset-pass-7');
    await post('/resets', { token, new_password: 'reset-pass-9', password_confirm: 'reset-pass-9' }).expect(400);
  });

  it('answers the same for an email without an account, and mails nothing to it', async () => {
    const queues = t.app.get(QueueService);
    const total = async () => {
      const c = await queues.counts(MAIL_QUEUE);
      return c.waiting + c.active + c.delayed + c.completed + c.failed;
    };
    const before = await total();
    const res = await post('', { email: 'nobody@example.com' }).expect(200);
    expect(res.body).toEqual({ result: 'success', data: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await total()).toBe(before);
    expect(t.logs().some((l) => String(l.msg).includes('without an active account; no mail sent'))).toBe(true);
    const bad = await post('', { email: 'not-an-email' }).expect(400);
    expect(bad.body.code).toBe('invalid_param');
  });

  it('gives up a code after five wrong guesses', async () => {
    const other = 'second@example.com';
    // A second account, straight from an invitation link.
    const owner = await login(t, OWNER.email, 'reset-pass-7');
    const invite = await request(t.baseUrl)
      .post('/console/api/workspaces/current/members/invite-email')
      .set(bearer(owner.access))
      .send({ emails: [other], role: 'normal' })
      .expect(201);
    const link = new URL(invite.body.invitation_results[0].url);
    await request(t.baseUrl)
      .post('/console/api/activate')
      .send({ token: link.searchParams.get('token'), name: 'Second', password: 'second-pass-1' })
      .expect(200);
    const started = await post('', { email: other }).expect(200);
    const mail = await smtp.waitFor(
      (m) => m.subject === 'Reset your Keel password' && SmtpSink.recipientOf(m) === other,
    );
    const code = /\b(\d{6})\b/.exec(mail.text ?? '')![1];
    const wrongCode = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 4; i++) {
      await post('/validity', { email: other, code: wrongCode, token: started.body.data }).expect(400);
    }
    const fifth = await post('/validity', { email: other, code: wrongCode, token: started.body.data }).expect(429);
    expect(fifth.body.code).toBe('email_password_reset_limit');
    // Even the right code is too late now.
    const late = await post('/validity', { email: other, code, token: started.body.data }).expect(400);
    expect(late.body.code).toBe('invalid_or_expired_token');
  });
});
