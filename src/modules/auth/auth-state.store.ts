import { Injectable, Optional } from '@nestjs/common';
import { RedisService } from '@keel/redis';
import { ApiException } from '../../common/errors/api.exception';

export interface WindowCount {
  count: number;
  /** Until the window (and its count) ends. */
  resetInMs: number;
}

/** Redis is configured but not answering: sign-in fails closed rather than unthrottled. */
export class AuthStateUnavailableException extends ApiException {
  constructor(cause: unknown) {
    super(503, 'service_unavailable', 'Sign-in is temporarily unavailable. Please try again shortly.', {
      headers: { 'Retry-After': '5' },
      cause,
    });
  }
}

/**
 * Short-lived authentication state — failed-login counters, password reset codes — that every
 * replica must see: in Redis when Redis is configured (keys under the deployment's prefix),
 * else in this process's memory (one replica).
 */
@Injectable()
export class AuthStateStore {
  private readonly memory = new Map<string, { value: string; expiresAt: number }>();

  constructor(@Optional() private readonly redis?: RedisService) {}

  get backend(): 'redis' | 'memory' {
    return this.redis ? 'redis' : 'memory';
  }

  /** Adds one to a counter whose window starts with its first increment. */
  async increment(key: string, windowMs: number): Promise<WindowCount> {
    const k = `auth:${key}`;
    if (this.redis) {
      return this.onRedis(async (client) => {
        const count = await client.incr(k);
        let ttl = await client.pttl(k);
        if (ttl < 0) {
          await client.pexpire(k, windowMs);
          ttl = windowMs;
        }
        return { count, resetInMs: ttl };
      });
    }
    const entry = this.live(k);
    const count = (entry ? Number(entry.value) : 0) + 1;
    const expiresAt = entry?.expiresAt ?? Date.now() + windowMs;
    this.memory.set(k, { value: String(count), expiresAt });
    return { count, resetInMs: expiresAt - Date.now() };
  }

  async count(key: string): Promise<WindowCount> {
    const k = `auth:${key}`;
    if (this.redis) {
      const [value, ttl] = await this.onRedis((client) => Promise.all([client.get(k), client.pttl(k)]));
      return { count: value ? Number(value) : 0, resetInMs: Math.max(ttl, 0) };
    }
    const entry = this.live(k);
    return { count: entry ? Number(entry.value) : 0, resetInMs: entry ? entry.expiresAt - Date.now() : 0 };
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    const k = `auth:${key}`;
    if (this.redis) {
      await this.onRedis((client) => client.set(k, value, 'PX', ttlMs));
      return;
    }
    this.sweep();
    this.memory.set(k, { value, expiresAt: Date.now() + ttlMs });
  }

  async get(key: string): Promise<string | null> {
    const k = `auth:${key}`;
    if (this.redis) return this.onRedis((client) => client.get(k));
    return this.live(k)?.value ?? null;
  }

  /** Reads and deletes in one step: of two concurrent takers, one gets the value. */
  async take(key: string): Promise<string | null> {
    const k = `auth:${key}`;
    if (this.redis) return this.onRedis((client) => client.getdel(k));
    const value = this.live(k)?.value ?? null;
    this.memory.delete(k);
    return value;
  }

  async delete(key: string): Promise<void> {
    const k = `auth:${key}`;
    if (this.redis) await this.onRedis((client) => client.del(k));
    else this.memory.delete(k);
  }

  private async onRedis<T>(work: (client: RedisService['client']) => Promise<T>): Promise<T> {
    try {
      return await work(this.redis!.client);
    } catch (error) {
      throw new AuthStateUnavailableException(error);
    }
  }

  private live(key: string) {
    const entry = this.memory.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.memory.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Drops expired entries now and then, so abandoned keys do not pile up. */
  private sweep(): void {
    if (this.memory.size < 10_000) return;
    const now = Date.now();
    for (const [key, entry] of this.memory) if (entry.expiresAt <= now) this.memory.delete(key);
  }
}
