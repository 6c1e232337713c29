import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { AppConfig } from '../../config/app-config';
import type { GracefulShutdownService } from '../../common/lifecycle/graceful-shutdown.service';
import type { HealthCheckRegistry, RegisteredCheck } from './health-check.registry';
import { HealthService } from './health.service';

const up = (key: string): Promise<HealthIndicatorResult> => Promise.resolve({ [key]: { status: 'up' } });
const down = (key: string): Promise<HealthIndicatorResult> =>
  Promise.resolve({ [key]: { status: 'down', message: 'broken' } });

function serviceWith(checks: RegisteredCheck[], draining = false, timeoutMs = 200): HealthService {
  const registry = {
    all: () => checks,
    find: (k: string) => checks.find((c) => c.key === k),
  } as unknown as HealthCheckRegistry;
  const shutdown = { isDraining: draining } as GracefulShutdownService;
  return new HealthService(registry, shutdown, { health: { timeoutMs } } as AppConfig);
}

describe('HealthService', () => {
  it('is ready when every indicator is up', async () => {
    const outcome = await serviceWith([{ key: 'database', critical: true, run: () => up('database') }]).ready();
    expect(outcome.httpStatus).toBe(200);
    expect(outcome.report).toEqual({
      status: 'ok',
      info: { database: { status: 'up' } },
      error: {},
      details: { database: { status: 'up' } },
    });
  });

  it('is not ready when a critical indicator is down', async () => {
    const outcome = await serviceWith([
      { key: 'database', critical: true, run: () => down('database') },
      { key: 'mail', critical: false, run: () => up('mail') },
    ]).ready();
    expect(outcome.httpStatus).toBe(503);
    expect(outcome.report.status).toBe('error');
    expect(outcome.report.error).toEqual({ database: { status: 'down', message: 'broken' } });
  });

  it('stays ready when only an informational indicator is down, and still reports it', async () => {
    const outcome = await serviceWith([
      { key: 'database', critical: true, run: () => up('database') },
      { key: 'plugin:acme/tool', critical: false, run: () => down('plugin:acme/tool') },
    ]).ready();
    expect(outcome.httpStatus).toBe(200);
    expect(outcome.report.error['plugin:acme/tool']).toEqual({ status: 'down', message: 'broken' });
  });

  it('reports a hung check as down after the timeout', async () => {
    const outcome = await serviceWith(
      [{ key: 'database', critical: true, run: () => new Promise(() => undefined) }],
      false,
      50,
    ).ready();
    expect(outcome.httpStatus).toBe(503);
    expect(outcome.report.error.database).toEqual({ status: 'down', message: 'timeout of 50ms exceeded' });
  });

  it('reports a check that throws as down with its message', async () => {
    const outcome = await serviceWith([
      { key: 'database', critical: true, run: () => Promise.reject(new Error('ECONNREFUSED')) },
    ]).ready();
    expect(outcome.report.error.database).toEqual({ status: 'down', message: 'ECONNREFUSED' });
  });

  it('is not ready while draining for shutdown', async () => {
    const outcome = await serviceWith([{ key: 'database', critical: true, run: () => up('database') }], true).ready();
    expect(outcome.httpStatus).toBe(503);
    expect(outcome.report.error.shutdown).toEqual({ status: 'down', message: 'shutting down' });
  });

  it('answers one indicator by key: 503 for any down one, undefined for an unknown key', async () => {
    const service = serviceWith([{ key: 'plugin:acme/tool', critical: false, run: () => down('plugin:acme/tool') }]);
    expect((await service.one('plugin:acme/tool'))?.httpStatus).toBe(503);
    expect(await service.one('nope')).toBeUndefined();
  });

  it('answers liveness without consulting any indicator', () => {
    const run = jest.fn();
    const outcome = serviceWith([{ key: 'database', critical: true, run }]).live();
    expect(outcome.httpStatus).toBe(200);
    expect(run).not.toHaveBeenCalled();
  });
});
