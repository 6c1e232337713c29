import { SentryReceiver } from '../support/sentry-receiver';
import { spawnServer, type ServerProcess, waitUntilReady } from '../support/server-process';

type SentryEvent = {
  tags?: Record<string, string>;
  environment?: string;
  release?: string;
  exception?: { values?: { value?: string; mechanism?: { type?: string } }[] };
};

const exceptionOf = (event: SentryEvent) => event.exception?.values?.[0]?.value ?? '';

/** Keel as a process with SENTRY_DSN pointing at an envelope receiver on loopback. */
describe('Sentry error reporting', () => {
  const receiver = new SentryReceiver();
  let server: ServerProcess;

  beforeAll(async () => {
    await receiver.start();
    server = await spawnServer(
      { SENTRY_DSN: receiver.dsn, SENTRY_ENVIRONMENT: 'e2e', SENTRY_RELEASE: 'keel@e2e', LOG_LEVEL: 'fatal' },
      'probe',
    );
    await waitUntilReady(server);
  });

  afterAll(async () => {
    server?.cleanup();
    await receiver.stop();
  });

  const findEvent = (text: string) =>
    receiver.waitFor(() => (receiver.events() as SentryEvent[]).find((e) => exceptionOf(e).includes(text)));

  it('reports a 500 with route template, request id, workspace and app tags, and no credentials', async () => {
    const res = await fetch(`${server.baseUrl}/v1/__probe/crash-scoped?workspace=ws-1&app=app-7&api_key=QUERYSECRET`, {
      headers: {
        Authorization: 'Bearer app-HEADERSECRET123',
        Cookie: 'session=COOKIESECRET',
        'X-Api-Key': 'XAPIKEYSECRET',
        'X-Request-Id': 'req-sentry-1',
      },
    });
    expect(res.status).toBe(500);

    const event = await findEvent('probe failure inside a workspace');
    expect(event.tags).toMatchObject({
      route: '/v1/__probe/crash-scoped',
      method: 'GET',
      request_id: 'req-sentry-1',
      workspace_id: 'ws-1',
      app_id: 'app-7',
    });
    expect(event.environment).toBe('e2e');
    expect(event.release).toBe('keel@e2e');
    const raw = receiver.raw.find((r) => r.includes('probe failure inside a workspace'))!;
    for (const secret of ['HEADERSECRET123', 'COOKIESECRET', 'XAPIKEYSECRET', 'QUERYSECRET']) {
      expect(raw).not.toContain(secret);
    }
  });

  it('drops the body of an authentication route and scrubs credential fields elsewhere', async () => {
    const login = await fetch(`${server.baseUrl}/console/api/login/__probe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@example.com', password: 'PASSWORDSECRET-9' }),
    });
    expect(login.status).toBe(500);
    const provider = await fetch(`${server.baseUrl}/v1/__probe/crash-body`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'hello',
        credentials: { openai_api_key: 'sk-PROVIDERSECRET' },
        token: 'TOKENSECRET',
      }),
    });
    expect(provider.status).toBe(500);

    await findEvent('probe failure on an authentication route');
    await findEvent('probe failure after reading a body');
    const all = receiver.raw.join('\n');
    for (const secret of ['PASSWORDSECRET-9', 'sk-PROVIDERSECRET', 'TOKENSECRET']) expect(all).not.toContain(secret);
  });

  it('captures unhandled promise rejections', async () => {
    const res = await fetch(`${server.baseUrl}/v1/__probe/unhandled-rejection`);
    expect(res.status).toBe(200);
    const event = await findEvent('probe unhandled rejection');
    expect(event.exception?.values?.[0]?.mechanism?.type).toMatch(/unhandledrejection/i);
  });

  it('sends nothing for 4xx answers', async () => {
    const before = receiver.events().length;
    expect((await fetch(`${server.baseUrl}/v1/no-such-route`)).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/v1/__probe/unauthorized`)).status).toBe(401);
    expect((await fetch(`${server.baseUrl}/v1/__probe/forbidden`)).status).toBe(403);
    // A 500 afterwards is the marker: events are sent in order, so once it has arrived any
    // event for the requests above would have arrived too.
    expect((await fetch(`${server.baseUrl}/v1/__probe/crash`)).status).toBe(500);
    await findEvent('hunter2');
    expect(receiver.events().length).toBe(before + 1);
  });

  it('shows Sentry as an informational health indicator', async () => {
    const res = await fetch(`${server.baseUrl}/health/sentry`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { details: { sentry: { status: string; host: string } } };
    expect(body.details.sentry).toMatchObject({ status: 'up', host: `127.0.0.1:${receiver.port}` });
  });
});

describe('Sentry performance tracing (SENTRY_TRACES_SAMPLE_RATE)', () => {
  const receiver = new SentryReceiver();
  let server: ServerProcess;

  beforeAll(async () => {
    await receiver.start();
    server = await spawnServer(
      { SENTRY_DSN: receiver.dsn, SENTRY_TRACES_SAMPLE_RATE: '1', LOG_LEVEL: 'fatal' },
      'probe',
    );
    await waitUntilReady(server);
  });

  afterAll(async () => {
    server?.cleanup();
    await receiver.stop();
  });

  it('sends requests as transactions with their database spans, through Keel’s own OpenTelemetry pipeline', async () => {
    const res = await fetch(`${server.baseUrl}/health/database`, {
      headers: { traceparent: '00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    expect(res.status).toBe(200);
    const transaction = await receiver.waitFor(() =>
      receiver.items.find(
        (i) =>
          i.type === 'transaction' &&
          (i.payload.contexts as { trace?: { trace_id?: string } } | undefined)?.trace?.trace_id ===
            '5bf92f3577b34da6a3ce929d0e0e4736',
      ),
    );
    const spans = (transaction.payload.spans ?? []) as { data?: Record<string, unknown> }[];
    expect(spans.some((s) => s.data?.['db.system.name'] === 'sqlite')).toBe(true);
  });
});
