import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MetricsService } from '@keel/metrics';
import { QueueService } from '@keel/queue';

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

/** Refreshes the per-queue job gauge from the queue backend at every scrape. */
@Injectable()
export class QueueMetricsCollector implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly queues: QueueService,
  ) {}

  onModuleInit(): void {
    this.metrics.onScrape(async () => {
      for (const queue of this.queues.knownQueues()) {
        const counts = await this.queues.counts(queue);
        for (const state of STATES) this.metrics.queueJobs.set({ queue, state }, counts[state]);
      }
    });
  }
}
