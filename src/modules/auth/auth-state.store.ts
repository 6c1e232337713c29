import { Injectable, Optional } from '@nestjs/common';
import { RedisService } from '@keel/redis';

export interface WindowCount {
  count: number;
  /** Until the window (and its count) ends. */
  resetInMs: number;
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
      const client = this.redis.client;
      const count = await client.incr(k);
      let ttl = await client.pttl(k);
      if (ttl < 0) {
        await client.pexpire(k, windowMs);
        ttl = windowMs;
      }
      return { count, resetInMs: ttl };
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
      const [value, ttl] = await Promise.all([this.redis.client.get(k), this.redis.client.pttl(k)]);
      return { count: value ? Number(value) : 0, resetInMs: Math.max(ttl, 0) };
    }
    const entry = this.live(k);
    return { count: entry ? Number(entry.value) : 0, resetInMs: entry ? entry.expiresAt - Date.now() : 0 };
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    const k = `auth:${key}`;
    if (this.redis) {
      await this.redis.client.set(k, value, 'PX', ttlMs);
      return;
    }
    this.sweep();
    this.memory.set(k, { value, expiresAt: Date.now() + ttlMs });
  }

  async get(key: string): Promise<string | null> {
    const k = `auth:${key}`;
    if (this.redis) return this.redis.client.get(k);
    return this.live(k)?.value ?? null;
  }

  async delete(key: string): Promise<void> {
    const k = `auth:${key}`;
    if (this.redis) await this.redis.client.del(k);
    else this.memory.delete(k);
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
