import type { QueueModuleOptions } from '../queue.options';
import { InlineQueueDriver } from './inline.driver';
import type { QueueDriver } from './queue-driver';

export function createQueueDriver(options: QueueModuleOptions): QueueDriver {
  switch (options.driver) {
    case 'inline':
      return new InlineQueueDriver(options);
    case 'bull': {
      // Bull (and the ioredis it brings) is loaded only when chosen: it costs ~40 ms of every boot.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { BullQueueDriver } = require('./bull.driver') as typeof import('./bull.driver');
      return new BullQueueDriver(options);
    }
    default: {
      const unknown: never = options;
      throw new Error(`Unknown queue driver ${JSON.stringify((unknown as { driver: unknown }).driver)}`);
    }
  }
}
