import { type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { DataSource, QueryRunner } from 'typeorm';
import type { DatabaseDriverName } from './database.options';

const tracer = trace.getTracer('keel-database');
const MAX_STATEMENT_LENGTH = 2_000;

const SYSTEM: Record<DatabaseDriverName, string> = {
  sqlite: 'sqlite',
  postgres: 'postgresql',
  mysql: 'mysql',
};

type QueryFn = QueryRunner['query'];
const traced = new WeakSet<QueryRunner>();

/**
 * One client span per SQL statement, the same for every backend: every TypeORM query, whether
 * from the entity manager, a repository, a transaction or a migration, goes through a query
 * runner's `query`. (The OpenTelemetry driver instrumentations cover pg and mysql2 but not
 * better-sqlite3, and would count statements twice if combined with this.)
 *
 * Statements are parameterised, so `db.query.text` carries placeholders, not values. Outside
 * any request or job (pool checks, health probes) no span is made, as with `requireParentSpan`.
 * With no tracing SDK registered the API is a no-op and this costs one function call.
 */
export function traceQueries(dataSource: DataSource, driverName: DatabaseDriverName): void {
  const driver = dataSource.driver;
  const createQueryRunner = driver.createQueryRunner.bind(driver);
  const system = SYSTEM[driverName];
  driver.createQueryRunner = (mode) => {
    const runner = createQueryRunner(mode);
    if (!traced.has(runner)) {
      traced.add(runner);
      runner.query = tracedQuery(runner.query.bind(runner), system);
    }
    return runner;
  };
}

function tracedQuery(query: QueryFn, system: string): QueryFn {
  return (async (statement: string, parameters?: unknown[], useStructuredResult?: boolean) =>
    traceStatement(system, statement, () => query(statement, parameters, useStructuredResult as true))) as QueryFn;
}

function spanOptions(system: string, statement: string) {
  const operation = /^\s*(\w+)/.exec(statement)?.[1]?.toUpperCase() ?? 'QUERY';
  return {
    name: `${operation} ${system}`,
    options: {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': system,
        'db.operation.name': operation,
        'db.query.text': statement.slice(0, MAX_STATEMENT_LENGTH),
      },
    },
  };
}

function fail(span: Span, error: unknown): void {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
}

/**
 * The span of one statement run outside TypeORM's query runners (the prepared statements of the
 * chat path), shaped exactly like the others.
 */
export function traceStatement<T>(system: string, statement: string, run: () => Promise<T>): Promise<T> {
  if (!trace.getActiveSpan()) return run();
  const { name, options } = spanOptions(system, statement);
  return tracer.startActiveSpan(name, options, async (span) => {
    try {
      return await run();
    } catch (error) {
      fail(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** `traceStatement` for a synchronous driver call (better-sqlite3). */
export function traceStatementSync<T>(system: string, statement: string, run: () => T): T {
  if (!trace.getActiveSpan()) return run();
  const { name, options } = spanOptions(system, statement);
  return tracer.startActiveSpan(name, options, (span) => {
    try {
      return run();
    } catch (error) {
      fail(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}
