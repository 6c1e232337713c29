import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { traceStatement, traceStatementSync } from './query-tracing';

/** Statements run outside TypeORM (PostgreSQL prepared statements) get the same span as the rest. */
describe('traceStatement', () => {
  const exporter = new InMemorySpanExporter();
  const contextManager = new AsyncLocalStorageContextManager().enable();

  beforeAll(() => {
    context.setGlobalContextManager(contextManager);
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });
  afterAll(() => {
    trace.disable();
    context.disable();
  });
  afterEach(() => exporter.reset());

  const inRequest = <T>(work: () => Promise<T>) =>
    trace.getTracer('test').startActiveSpan('request', async (span) => {
      try {
        return await work();
      } finally {
        span.end();
      }
    });

  it('makes one client span per statement, named by operation, with the SQL and never the values', async () => {
    const result = await inRequest(() =>
      traceStatement('postgresql', 'INSERT INTO "messages" ("id") VALUES ($1)', async () => 7),
    );
    expect(result).toBe(7);
    const span = exporter.getFinishedSpans().find((s) => s.name === 'INSERT postgresql');
    expect(span?.attributes).toEqual({
      'db.system.name': 'postgresql',
      'db.operation.name': 'INSERT',
      'db.query.text': 'INSERT INTO "messages" ("id") VALUES ($1)',
    });
    expect(span?.parentSpanContext?.spanId).toBe(
      exporter
        .getFinishedSpans()
        .find((s) => s.name === 'request')
        ?.spanContext().spanId,
    );
  });

  it('records a failing statement as an error and rethrows it', async () => {
    await expect(
      inRequest(() =>
        traceStatement('postgresql', 'WITH w0 AS (INSERT …) INSERT …', () =>
          Promise.reject(new Error('duplicate key')),
        ),
      ),
    ).rejects.toThrow('duplicate key');
    const span = exporter.getFinishedSpans().find((s) => s.name === 'WITH postgresql');
    expect(span?.status).toMatchObject({ code: 2, message: 'duplicate key' });
  });

  it('traces a synchronous driver call (better-sqlite3) the same way', async () => {
    const result = await inRequest(async () => traceStatementSync('sqlite', 'INSERT INTO "conversations" …', () => 3));
    expect(result).toBe(3);
    expect(exporter.getFinishedSpans().find((s) => s.name === 'INSERT sqlite')?.attributes['db.system.name']).toBe(
      'sqlite',
    );
    await expect(
      inRequest(async () =>
        traceStatementSync('sqlite', 'UPDATE x', () => {
          throw new Error('SQLITE_BUSY');
        }),
      ),
    ).rejects.toThrow('SQLITE_BUSY');
    expect(exporter.getFinishedSpans().find((s) => s.name === 'UPDATE sqlite')?.status.code).toBe(2);
  });

  it('makes no span outside a request or job', async () => {
    await traceStatement('postgresql', 'SELECT 1', async () => undefined);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});
