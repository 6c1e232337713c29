import { type DynamicModule, Module } from '@nestjs/common';
import { infrastructureModules } from '../app.module';
import { AppConfig } from '../config/app-config';
import { HealthModule } from '../modules/health/health.module';
import { ProvidersModule } from '../modules/providers/providers.module';

/**
 * What `keel doctor` boots: every extension as the server configures it (so each is checked the
 * way the server will use it), the health indicators and the model providers — no HTTP, and no
 * queue processors (a doctor must not take a worker's jobs) and no migrations.
 */
@Module({})
export class DoctorModule {
  static forRoot(config: AppConfig): DynamicModule {
    // Nor migrate the database: the doctor reports pending migrations, `keel migrate` applies them.
    const quiet = new AppConfig({
      ...config,
      queue: { ...config.queue, workerInApi: false },
      database: { ...config.database, migrationsRun: false, connectRetries: 0 },
    });
    return { module: DoctorModule, imports: [...infrastructureModules(quiet, 'api'), HealthModule, ProvidersModule] };
  }
}
