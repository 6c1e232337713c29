// A test entry point: `src/main.ts` plus the probe routes, with the same instrumentation order.
import '../../src/instrument';
import 'reflect-metadata';
import { AppModule } from '../../src/app.module';
import { createApp } from '../../src/app.setup';
import { loadConfigOrExit } from '../../src/config/load-config-or-exit';
import { appWithProbe } from './probe.controller';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApp(config, appWithProbe(AppModule.forRoot(config)));
  await app.listen(config.server.port, config.server.host);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`probe server failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
