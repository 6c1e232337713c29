import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { QUEUE_DRIVER, QUEUE_MODULE_OPTIONS } from './queue.module-definition';
import type { QueueModuleOptions } from './queue.options';
import type { JobHandler } from './queue.types';
import { QUEUE_PROCESSOR, type QueueProcessorMetadata } from './queue-processor.decorator';
import type { QueueDriver } from './drivers/queue-driver';

/** Finds every `@QueueProcessor` provider once the app is built and hands it to the driver. */
@Injectable()
export class QueueProcessorExplorer implements OnApplicationBootstrap {
  private readonly logger = new Logger('Queue');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    @Inject(QUEUE_MODULE_OPTIONS) private readonly options: QueueModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.runProcessors) {
      this.logger.log('processors are not run in this process (QUEUE_WORKER_IN_API=false)');
      return;
    }
    const seen = new Set<string>();
    for (const wrapper of this.discovery.getProviders()) {
      if (!wrapper.metatype || !wrapper.instance) continue;
      const meta = this.reflector.get<QueueProcessorMetadata | undefined>(QUEUE_PROCESSOR, wrapper.metatype);
      if (!meta) continue;
      if (seen.has(meta.queue)) throw new Error(`Queue "${meta.queue}" has more than one @QueueProcessor`);
      seen.add(meta.queue);
      const handler = wrapper.instance as JobHandler;
      this.driver.process(meta.queue, meta.concurrency, (job) => handler.handle(job));
    }
    this.logger.log({ queues: [...seen] }, `processing ${seen.size} queue(s) with the ${this.driver.name} driver`);
  }
}
