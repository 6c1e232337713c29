import request from 'supertest';
import { parsePrometheusText, valueOf } from '../support/prometheus-text';
import { freePort } from '../support/server-process';
import { bootTestApp, type TestApp } from '../support/test-app';

const COUNTER = 'keel_http_requests_total';

describe('Prometheus metrics on the main port (default)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp();
  });

  afterAll(() => t.close());

  const scrape = async () => {
    const res = await request(t.baseUrl).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(res.text);
  };

  it('serves parseable Prometheus text with process metrics', async () => {
    const samples = await scrape();
    expect(samples.some((s) => s.name === 'keel_process_resident_memory_bytes')).toBe(true);
    expect(samples.some((s) => s.name === 'keel_queue_jobs' && s.labels.queue === 'keel-system')).toBe(true);
  });

  it('counts exactly the requests made, by route template', async () => {
    const labels = { method: 'GET', route: '/health/:indicator', status: '200' };
    const HISTOGRAM_COUNT = 'keel_http_request_duration_seconds_count';
    const before = await scrape();
    for (let i = 0; i < 7; i++) await request(t.baseUrl).get('/health/database').expect(200);
    const after = await scrape();
    expect(valueOf(after, COUNTER, labels) - valueOf(before, COUNTER, labels)).toBe(7);
    expect(valueOf(after, HISTOGRAM_COUNT, labels) - valueOf(before, HISTOGRAM_COUNT, labels)).toBe(7);
  });

  it('labels a request that matched no route "unmatched", never with its path', async () => {
    await request(t.baseUrl).get('/v1/secret-token-in-path-abc123').expect(404);
    await request(t.baseUrl).post('/v1/anything').set('Content-Type', 'application/json').send('{bad').expect(400);
    const samples = await scrape();
    expect(valueOf(samples, COUNTER, { method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, COUNTER, { method: 'POST', route: 'unmatched', status: '400' })).toBe(1);
    expect(samples.some((s) => JSON.stringify(s.labels).includes('secret-token'))).toBe(false);
  });
});

describe('metrics on their own port, with basic auth', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    t = await bootTestApp({ METRICS_PORT: String(port), METRICS_BASIC_AUTH: 'prom:s3cret' });
  });

  afterAll(() => t.close());

  it('serves /metrics only on METRICS_PORT and asks for credentials', async () => {
    await request(t.baseUrl).get('/metrics').expect(404);
    const denied = await request(`http://127.0.0.1:${port}`).get('/metrics').expect(401);
    expect(denied.headers['www-authenticate']).toBe('Basic realm="metrics"');
    await request(`http://127.0.0.1:${port}`).get('/metrics').auth('prom', 'wrong').expect(401);
    const ok = await request(`http://127.0.0.1:${port}`).get('/metrics').auth('prom', 's3cret').expect(200);
    expect(parsePrometheusText(ok.text).length).toBeGreaterThan(0);
    await request(`http://127.0.0.1:${port}`).get('/other').auth('prom', 's3cret').expect(404);
  });
});

describe('metrics disabled', () => {
  it('has no /metrics with METRICS_ENABLED=false', async () => {
    const t = await bootTestApp({ METRICS_ENABLED: 'false' });
    try {
      const res = await request(t.baseUrl).get('/metrics').expect(404);
      expect(res.body.code).toBe('not_found');
    } finally {
      await t.close();
    }
  });
});

describe('metrics on the main port with basic auth', () => {
  it('answers 401 with a Basic challenge in the error envelope, and 200 with the credentials', async () => {
    const t = await bootTestApp({ METRICS_BASIC_AUTH: 'prom:s3cret' });
    try {
      const denied = await request(t.baseUrl).get('/metrics').expect(401);
      expect(denied.headers['www-authenticate']).toBe('Basic realm="metrics"');
      expect(denied.body).toEqual({ code: 'unauthorized', message: 'Metrics require credentials.', status: 401 });
      await request(t.baseUrl).get('/metrics').auth('prom', 's3cret').expect(200);
    } finally {
      await t.close();
    }
  });
});
