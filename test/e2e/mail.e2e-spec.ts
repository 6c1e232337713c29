import { MAIL_QUEUE, MailError, MailService } from '@keel/mail';
import { QueueService } from '@keel/queue';
import request from 'supertest';
import { MailComposer } from '../../src/modules/mail/mail-composer.service';
import { SmtpSink } from '../support/smtp-sink';
import { bootTestApp, type TestApp } from '../support/test-app';

describe('mail through the queue to a real SMTP server (smtp-server on loopback)', () => {
  let smtp: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await SmtpSink.start(['nobody@example.com']);
    t = await bootTestApp({
      MAIL_DRIVER: 'smtp',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      MAIL_FROM: 'Keel <no-reply@keel.example.com>',
      MAIL_ATTEMPTS: '3',
      MAIL_RETRY_BACKOFF_MS: '50',
    });
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('delivers an invitation with recipients, subject, sender and both parts', async () => {
    const id = await t.app.get(MailComposer).workspaceInvitation('new.member@example.com', {
      inviterName: 'Ada Lovelace',
      workspaceName: 'Analytical Engines',
      acceptUrl: 'https://console.example.com/invite/tok123',
      expiresInHours: 48,
    });
    await t.app.get(QueueService).waitUntilFinished(MAIL_QUEUE, id, 10_000);
    const mail = smtp.received.find((m) => m.subject?.includes('Analytical Engines'));
    expect(mail).toBeDefined();
    expect(mail!.subject).toBe('Ada Lovelace invited you to Analytical Engines on Keel');
    expect(mail!.from?.value).toEqual([{ address: 'no-reply@keel.example.com', name: 'Keel' }]);
    expect((Array.isArray(mail!.to) ? mail!.to[0] : mail!.to)?.value).toEqual([
      { address: 'new.member@example.com', name: '' },
    ]);
    expect(mail!.text).toContain('https://console.example.com/invite/tok123');
    expect(mail!.html).toContain('<a href="https://console.example.com/invite/tok123"');
  });

  it('refuses an invalid recipient before anything is queued', async () => {
    const queues = t.app.get(QueueService);
    const before = await queues.counts(MAIL_QUEUE);
    const error = await t.app
      .get(MailService)
      .send({ to: 'not an address', subject: 'x', text: 'y' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailError);
    expect((error as MailError).message).toBe('Invalid to address "not an address"');
    const after = await queues.counts(MAIL_QUEUE);
    expect(after.waiting + after.active + after.delayed + after.completed + after.failed).toBe(
      before.waiting + before.active + before.delayed + before.completed + before.failed,
    );
  });

  it('retries a refused delivery, then records it failed with the reason', async () => {
    const queues = t.app.get(QueueService);
    const id = await t.app
      .get(MailComposer)
      .passwordResetCode('nobody@example.com', { code: '123456', expiresInMinutes: 5 });
    await expect(queues.waitUntilFinished(MAIL_QUEUE, id, 10_000)).rejects.toThrow(/550/);
    const job = await queues.getJob(MAIL_QUEUE, id);
    expect(job).toMatchObject({ state: 'failed', attemptsMade: 3 });
    expect(job?.failedReason).toMatch(/Mailbox unavailable/);
    expect(smtp.refusedAttempts.get('nobody@example.com')).toBe(3);
    expect(smtp.received.some((m) => m.subject === 'Reset your Keel password')).toBe(false);
  });

  it('lists every extension in readiness, mail verified against the SMTP server', async () => {
    const res = await request(t.baseUrl).get('/health/ready').expect(200);
    expect(Object.keys(res.body.details)).toEqual(['database', 'cache', 'queue', 'storage', 'mail', 'sentry', 'otel']);
    expect(res.body.info.mail).toMatchObject({ status: 'up', driver: 'smtp' });
  });
});

describe('mail when the SMTP server is down', () => {
  it('shows mail down without failing readiness (informational)', async () => {
    const smtp = await SmtpSink.start();
    const port = smtp.port;
    await smtp.close();
    const t = await bootTestApp({ MAIL_DRIVER: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port) });
    try {
      const res = await request(t.baseUrl).get('/health/ready').expect(200);
      expect(res.body.status).toBe('ok');
      expect(res.body.error.mail).toMatchObject({ status: 'down', driver: 'smtp' });
      expect(res.body.error.mail.message).toMatch(/ECONNREFUSED/);
      await request(t.baseUrl).get('/health/mail').expect(503);
    } finally {
      await t.close();
    }
  });

  it('logs instead of sending with MAIL_DRIVER=log (the embedded default)', async () => {
    const t = await bootTestApp();
    try {
      const id = await t.app
        .get(MailComposer)
        .emailLoginCode('dev@example.com', { code: '246810', expiresInMinutes: 10 });
      await t.app.get(QueueService).waitUntilFinished(MAIL_QUEUE, id, 5_000);
      const line = t.logs().find((l) => l.msg === 'mail not sent (MAIL_DRIVER=log)');
      expect(line).toMatchObject({ to: ['dev@example.com'], subject: 'Your Keel sign-in code' });
      expect(line?.text).toContain('246810');
    } finally {
      await t.close();
    }
  });
});
