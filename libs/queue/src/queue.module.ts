import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { QUEUE_DRIVER, QUEUE_MODULE_OPTIONS, QueueConfigurableModule } from './queue.module-definition';
import type { QueueModuleOptions } from './queue.options';
import { QueueHealthIndicator } from './queue.health';
import { QueueProcessorExplorer } from './queue-processor.explorer';
import { QueueService } from './queue.service';
import { SystemPingProcessor } from './system-ping.processor';
import { createQueueDriver } from './drivers/create-queue-driver';

/**
 * Background jobs: `inline` (in-process, the embedded default) or `bull` (Redis). Features
 * enqueue through `QueueService` and process with `@QueueProcessor(name)` providers.
 */
@Global()
@Module({
  imports: [DiscoveryModule, TerminusModule],
  providers: [
    {
      provide: QUEUE_DRIVER,
      useFactory: (options: QueueModuleOptions) => createQueueDriver(options),
      inject: [QUEUE_MODULE_OPTIONS],
    },
    QueueService,
    QueueHealthIndicator,
    QueueProcessorExplorer,
    SystemPingProcessor,
  ],
  exports: [QueueService, QueueHealthIndicator],
})
export class QueueModule extends QueueConfigurableModule {}
