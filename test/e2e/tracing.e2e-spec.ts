import { createServer, type Server } from 'node:http';
import { parsePrometheusText } from '../support/prometheus-text';
import { OtlpReceiver } from '../support/otlp-receiver';
import { describeWith } from '../support/services';
import { deleteRedisKeys, uniqueRedisPrefix } from '../support/redis-keys';
import { freePort, spawnServer, type ServerProcess, waitUntilReady } from '../support/server-process';

const SERVER_KIND = 2;
const CLIENT_KIND = 3;

/** Keel as a process exporting traces over OTLP/HTTP to a receiver on loopback. */
describe('OpenTelemetry traces', () => {
  describe('with a collector', () => {
    const collector = new OtlpReceiver();
    let server: ServerProcess;
    let callee: Server;
    let calleePort = 0;
    const calleeHeaders: Record<string, string | string[] | undefined>[] = [];

    beforeAll(async () => {
      await collector.start();
      callee = createServer((req, res) => {
        calleeHeaders.push(req.headers);
        res.end('ok');
      });
      await new Promise<void>((resolve) => callee.listen(0, '127.0.0.1', resolve));
      calleePort = (callee.address() as { port: number }).port;
      server = await spawnServer(
        {
          // A base URL: Keel must append /v1/traces itself.
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.baseUrl,
          OTEL_BSP_SCHEDULE_DELAY: '100',
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=e2e',
          LOG_LEVEL: 'fatal',
        },
        'probe',
      );
      await waitUntilReady(server);
    });

    afterAll(async () => {
      server?.cleanup();
      await collector.stop();
      await new Promise<void>((resolve) => callee.close(() => resolve()));
    });

    it('continues the incoming traceparent through the request and its database queries', async () => {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const parentId = '00f067aa0ba902b7';
      const res = await fetch(`${server.baseUrl}/health/database`, {
        headers: { traceparent: `00-${traceId}-${parentId}-01`, 'X-Request-Id': 'req-trace-1' },
      });
      expect(res.status).toBe(200);

      const serverSpan = await collector.waitFor((s) => s.traceId === traceId && s.kind === SERVER_KIND);
      expect(serverSpan.parentSpanId).toBe(parentId);
      expect(serverSpan.attributes['http.route']).toBe('/health/:indicator');
      expect(serverSpan.attributes['keel.request_id']).toBe('req-trace-1');
      expect(serverSpan.resource['service.name']).toBe('keel-api');
      expect(serverSpan.resource['deployment.environment']).toBe('e2e');
      expect(collector.paths).toContain('/v1/traces');

      const query = await collector.waitFor(
        (s) => s.traceId === traceId && s.attributes['db.system.name'] === 'sqlite',
      );
      expect(query.kind).toBe(CLIENT_KIND);
      expect(String(query.attributes['db.query.text'])).toMatch(/SELECT/i);
    });

    it('propagates the trace on outgoing HTTP calls', async () => {
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const res = await fetch(
        `${server.baseUrl}/v1/__probe/fetch?url=${encodeURIComponent(`http://127.0.0.1:${calleePort}/model`)}`,
        { headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } },
      );
      expect(res.status).toBe(200);
      const sent = calleeHeaders.at(-1)?.traceparent;
      expect(sent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      const client = await collector.waitFor((s) => s.traceId === traceId && s.kind === CLIENT_KIND);
      expect(String(sent)).toContain(client.spanId);
    });

    it('does not trace health probes or metric scrapes', async () => {
      const traceId = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
      await fetch(`${server.baseUrl}/health/ready`, { headers: { traceparent: `00-${traceId}-bbbbbbbbbbbbbbbb-01` } });
      // The marker request is exported in the same or a later batch than the probe would be.
      const marker = 'cccccccccccccccccccccccccccccccc';
      await fetch(`${server.baseUrl}/health/live?x`, { headers: { traceparent: `00-${marker}-bbbbbbbbbbbbbbbb-01` } });
      await fetch(`${server.baseUrl}/health/cache`, { headers: { traceparent: `00-${marker}-bbbbbbbbbbbbbbbb-01` } });
      await collector.waitFor((s) => s.traceId === marker && s.kind === SERVER_KIND);
      expect(collector.spans.filter((s) => s.traceId === traceId)).toHaveLength(0);
      expect(collector.spans.filter((s) => s.traceId === marker && s.kind === SERVER_KIND)).toHaveLength(1);
    });

    it('reports the exporter as an informational health indicator', async () => {
      const res = await fetch(`${server.baseUrl}/health/otel`);
      const body = (await res.json()) as { details: { otel: { status: string; endpoint: string } } };
      expect(res.status).toBe(200);
      expect(body.details.otel).toMatchObject({ status: 'up', endpoint: `${collector.baseUrl}/v1/traces` });
    });
  });

  it('flushes queued spans when the process shuts down', async () => {
    const collector = new OtlpReceiver();
    await collector.start();
    // A 5 s batch interval: without the flush at shutdown the span below would be lost.
    const server = await spawnServer(
      { OTEL_EXPORTER_OTLP_ENDPOINT: collector.baseUrl, OTEL_BSP_SCHEDULE_DELAY: '5000', LOG_LEVEL: 'fatal' },
      'probe',
    );
    try {
      await waitUntilReady(server);
      const traceId = '77777777777777777777777777777777';
      const res = await fetch(`${server.baseUrl}/health/database`, {
        headers: { traceparent: `00-${traceId}-8888888888888888-01` },
      });
      expect(res.status).toBe(200);
      expect(collector.spans.some((s) => s.traceId === traceId)).toBe(false);
      server.child.kill('SIGTERM');
      expect([0, 'SIGTERM']).toContain(await server.exited);
      expect(collector.spans.some((s) => s.traceId === traceId && s.kind === SERVER_KIND)).toBe(true);
    } finally {
      server.cleanup();
      await collector.stop();
    }
  });

  describeWith('redis', 'with Redis and the Bull queue', () => {
    const collector = new OtlpReceiver();
    const prefix = uniqueRedisPrefix('trace');
    let server: ServerProcess;

    beforeAll(async () => {
      await collector.start();
      server = await spawnServer(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.baseUrl,
          OTEL_BSP_SCHEDULE_DELAY: '100',
          REDIS_URL: 'redis://127.0.0.1:6379',
          REDIS_KEY_PREFIX: prefix,
          LOG_LEVEL: 'fatal',
        },
        'probe',
      );
      await waitUntilReady(server);
    });

    afterAll(async () => {
      server?.cleanup();
      await collector.stop();
      await deleteRedisKeys(prefix);
    });

    it('has a span for each Redis command, without its arguments', async () => {
      const traceId = '11111111111111111111111111111111';
      const res = await fetch(`${server.baseUrl}/health/redis`, {
        headers: { traceparent: `00-${traceId}-2222222222222222-01` },
      });
      expect(res.status).toBe(200);
      const command = await collector.waitFor(
        (s) => s.traceId === traceId && (s.attributes['db.system'] ?? s.attributes['db.system.name']) === 'redis',
      );
      expect(command.name.toLowerCase()).toBe('ping');
    });

    it('follows a job from the request that queued it into its processing', async () => {
      const traceId = '33333333333333333333333333333333';
      const res = await fetch(`${server.baseUrl}/v1/__probe/mail`, {
        method: 'POST',
        headers: { traceparent: `00-${traceId}-4444444444444444-01` },
      });
      expect(res.status).toBe(200);
      const publish = await collector.waitFor((s) => s.traceId === traceId && s.name === 'publish mail');
      const process = await collector.waitFor((s) => s.traceId === traceId && s.name === 'process mail');
      expect(publish.attributes['messaging.system']).toBe('bull');
      expect(process.parentSpanId).toBe(publish.spanId);
      expect(process.attributes['messaging.message.id']).toBe(publish.attributes['messaging.message.id']);
    });
  });

  describe('with the collector down', () => {
    let server: ServerProcess;

    beforeAll(async () => {
      const closedPort = await freePort();
      server = await spawnServer(
        {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${closedPort}/v1/traces`,
          OTEL_BSP_SCHEDULE_DELAY: '100',
          OTEL_BSP_EXPORT_TIMEOUT: '2000',
          LOG_LEVEL: 'fatal',
        },
        'probe',
      );
      await waitUntilReady(server);
    });

    afterAll(() => server?.cleanup());

    it('answers every request and counts the spans it could not deliver', async () => {
      const statuses = await Promise.all(
        Array.from({ length: 50 }, () => fetch(`${server.baseUrl}/health/database`).then((r) => r.status)),
      );
      expect(statuses).toEqual(Array(50).fill(200));

      let dropped = 0;
      const deadline = Date.now() + 20_000;
      while (dropped === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        const metrics = parsePrometheusText(await (await fetch(`${server.baseUrl}/metrics`)).text());
        dropped = metrics.find((m) => m.name === 'keel_otel_dropped_spans_total')?.value ?? 0;
      }
      expect(dropped).toBeGreaterThan(0);

      const health = await fetch(`${server.baseUrl}/health/otel`);
      const body = (await health.json()) as { details: { otel: { status: string; message: string } } };
      // Informational: down in the detail, but the check itself does not fail readiness.
      expect(body.details.otel.status).toBe('down');
      expect(body.details.otel.message).toMatch(/last export failed/);
      expect((await fetch(`${server.baseUrl}/health/ready`)).status).toBe(200);
    });
  });
});
