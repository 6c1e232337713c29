import { randomUUID } from 'node:crypto';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { RedisService } from '@keel/redis';
import { AppConfig } from '../../config/app-config';
import type { App } from '../apps/app.entity';
import { ServiceApiErrors } from './service-api.exceptions';

const MINUTE_MS = 60_000;

/** Whose limits a request counts against: an app, or a workspace API key (ids do not collide). */
export interface LimitSubject {
  id: string;
  /** Requests per minute; 0 or less = unlimited. */
  rpm: number;
  /** Concurrent generations; 0 or less = unlimited. */
  maxActive: number;
  /** Completes "Rate limit exceeded: …". */
  rpmMessage: (rpm: number) => string;
  activeMessage: (max: number) => string;
}
// An active-request entry older than this belongs to a replica that died mid-request.
const STALE_ACTIVE_MS = 15 * 60_000;

/**
 * Per-app (and per workspace API key) limits: requests per minute (every /v1 call) and concurrent generations. Shared by all
 * replicas through Redis when it is configured, per process otherwise. A Redis outage lets
 * requests through (logged): the limiter protects capacity, it must not become an outage itself.
 */
@Injectable()
export class RequestLimiter {
  private readonly logger = new Logger(RequestLimiter.name);
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly active = new Map<string, Set<string>>();

  constructor(
    private readonly config: AppConfig,
    @Optional() private readonly redis?: RedisService,
  ) {}

  /** An app's limits: over all of its keys, the app's own settings or the deployment's defaults. */
  subjectOf(app: App): LimitSubject {
    return {
      id: app.id,
      rpm: app.apiRpm ?? this.config.serviceApi.rpm,
      maxActive: app.apiMaxActiveRequests ?? this.config.serviceApi.maxActiveRequests,
      rpmMessage: (rpm) => `this app allows ${rpm} requests per minute`,
      // Dify's wording.
      activeMessage: (max) =>
        `Too many requests. Please try again later. The current maximum concurrent requests allowed for ${app.id} is ${max}.`,
    };
  }

  /** Counts one request against the app's per-minute budget; 429 with Retry-After beyond it. */
  countRequest(app: App): Promise<void> {
    return this.count(this.subjectOf(app));
  }

  /** Takes one of the app's concurrent-generation slots; the returned function gives it back. */
  acquire(app: App): Promise<() => void> {
    return this.take(this.subjectOf(app));
  }

  /** Counts one request against the subject's per-minute budget (0 = unlimited). */
  async count(subject: LimitSubject): Promise<void> {
    const rpm = subject.rpm;
    if (rpm <= 0) return;
    const now = Date.now();
    const start = now - (now % MINUTE_MS);
    const count = await this.incrementWindow(subject.id, start);
    if (count > rpm) {
      const retryAfter = Math.max(1, Math.ceil((start + MINUTE_MS - now) / 1000));
      throw ServiceApiErrors.rateLimited(
        `Rate limit exceeded: ${subject.rpmMessage(rpm)}. Please retry after ${retryAfter} s.`,
        retryAfter,
      );
    }
  }

  /** Takes one of the subject's concurrent slots (0 = unlimited); the returned function gives it back. */
  async take(subject: LimitSubject): Promise<() => void> {
    const max = subject.maxActive;
    if (max <= 0) return () => undefined;
    const id = randomUUID();
    const owner = subject.id;
    const taken = this.redis ? await this.acquireOnRedis(owner, id, max) : this.acquireInMemory(owner, id, max);
    if (!taken) throw ServiceApiErrors.rateLimited(subject.activeMessage(max), 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (this.redis) void this.onRedis((c) => c.zrem(this.activeKey(owner), id), 0);
      else this.active.get(owner)?.delete(id);
    };
  }

  private activeKey(owner: string): string {
    return `limits:active:${owner}`;
  }

  private async incrementWindow(owner: string, start: number): Promise<number> {
    if (this.redis) {
      const key = `limits:rpm:${owner}:${start}`;
      return this.onRedis(async (c) => {
        const [[, count]] = (await c
          .multi()
          .incr(key)
          .pexpire(key, MINUTE_MS * 2)
          .exec()) as [[unknown, number]];
        return count;
      }, 0);
    }
    const window = this.windows.get(owner);
    if (!window || window.start !== start) {
      this.windows.set(owner, { start, count: 1 });
      return 1;
    }
    return ++window.count;
  }

  private async acquireOnRedis(owner: string, id: string, max: number): Promise<boolean> {
    const key = this.activeKey(owner);
    const now = Date.now();
    return this.onRedis(async (c) => {
      const results = (await c
        .multi()
        .zremrangebyscore(key, '-inf', now - STALE_ACTIVE_MS)
        .zadd(key, now, id)
        .zcard(key)
        .pexpire(key, STALE_ACTIVE_MS)
        .exec()) as [unknown, unknown][];
      if (Number(results[2][1]) <= max) return true;
      await c.zrem(key, id);
      return false;
    }, true);
  }

  private acquireInMemory(owner: string, id: string, max: number): boolean {
    let slots = this.active.get(owner);
    if (!slots) this.active.set(owner, (slots = new Set()));
    if (slots.size >= max) return false;
    slots.add(id);
    return true;
  }

  private async onRedis<T>(work: (client: RedisService['client']) => Promise<T>, fallback: T): Promise<T> {
    try {
      return await work(this.redis!.client);
    } catch (error) {
      this.logger.warn({ err: error }, 'rate limit state unavailable (Redis); letting the request through');
      return fallback;
    }
  }
}
