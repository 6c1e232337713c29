import type { QueueModuleOptions } from '../queue.options';
import { BullQueueDriver } from './bull.driver';
import { InlineQueueDriver } from './inline.driver';
import type { QueueDriver } from './queue-driver';

export function createQueueDriver(options: QueueModuleOptions): QueueDriver {
  switch (options.driver) {
    case 'inline':
      return new InlineQueueDriver(options);
    case 'bull':
      return new BullQueueDriver(options);
    default: {
      const unknown: never = options;
      throw new Error(`Unknown queue driver ${JSON.stringify((unknown as { driver: unknown }).driver)}`);
    }
  }
}
