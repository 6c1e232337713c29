import './instrument';
import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { createApp } from './app.setup';
import { loadConfigOrExit } from './config/load-config-or-exit';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApp(config);
  await app.listen(config.server.port, config.server.host);
  const logger = app.get(Logger);
  if (config.security.secretKeySource === 'data-dir') {
    logger.warn(
      `SECRET_KEY is not set; using the key generated under ${config.dataDir}. Back it up with the data.`,
      'Bootstrap',
    );
  }
  logger.log(
    `Keel listening on http://${config.server.host}:${config.server.port} (database: ${config.database.driver})`,
    'Bootstrap',
  );
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `Keel failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
