import './worker.instrument';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from './config/load-config-or-exit';
import { WorkerModule } from './worker.module';

/** `node dist/worker`: runs queue processors; serves only health probes. */
async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await NestFactory.create<NestExpressApplication>(WorkerModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  await app.listen(config.queue.workerHealthPort, config.server.host);
  app
    .get(Logger)
    .log(
      `Keel worker running processors (queue driver: ${config.queue.driver}); health on port ${config.queue.workerHealthPort}`,
      'Bootstrap',
    );
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `Keel worker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
