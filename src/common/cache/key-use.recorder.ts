import type { Logger } from '@nestjs/common';

/** `last_used_at` is written at most this often per key, not on every request. */
const RECORD_INTERVAL_MS = 60_000;
const MAX_TRACKED = 10_000;

/**
 * Keeps an API key's `last_used_at` roughly current without a write per request: at most one
 * write per key and minute from this process. A failed write is logged, never the caller's problem.
 */
export class KeyUseRecorder {
  private readonly recorded = new Map<string, number>();

  constructor(
    private readonly write: (keyId: string, at: Date) => Promise<unknown>,
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  record(keyId: string): void {
    const now = Date.now();
    if (now - (this.recorded.get(keyId) ?? 0) < RECORD_INTERVAL_MS) return;
    this.recorded.set(keyId, now);
    if (this.recorded.size > MAX_TRACKED) this.recorded.clear();
    this.write(keyId, new Date(now)).catch((error: unknown) => {
      this.logger.warn({ err: error, keyId }, `could not record ${this.what} use`);
    });
  }
}
