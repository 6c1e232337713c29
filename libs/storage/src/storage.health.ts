import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { STORAGE_DRIVER } from './storage.module-definition';
import { RESERVED_PREFIX } from './storage-key';
import type { StorageDriver } from './drivers/storage-driver';

const PROBE = Buffer.from('keel storage probe');

/** Critical: a small object must go in, come back intact and go away. */
@Injectable()
export class StorageHealthIndicator {
  constructor(
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    private readonly healthIndicatorService: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string>(key: Key) {
    const indicator = this.healthIndicatorService.check(key);
    // Under the reserved prefix, which callers can never use, so a probe never meets real data.
    const probeKey = `${RESERVED_PREFIX}/health/${randomUUID()}`;
    const base = { driver: this.driver.name, target: this.driver.describe() };
    const started = performance.now();
    try {
      await this.driver.put(probeKey, PROBE, { contentType: 'text/plain' });
      const { stream } = await this.driver.get(probeKey);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
      await this.driver.delete(probeKey);
      if (!Buffer.concat(chunks).equals(PROBE))
        return indicator.down({ ...base, message: 'probe object came back altered' });
      return indicator.up({ ...base, latencyMs: Math.round(performance.now() - started) });
    } catch (error) {
      return indicator.down({ ...base, message: error instanceof Error ? error.message : String(error) });
    }
  }
}
