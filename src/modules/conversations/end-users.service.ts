import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { App } from '../apps/app.entity';
import { EndUser } from './end-user.entity';

/** The end users an app's API callers name with `user`, created on first sight. */
// End users are never renamed and only go with their app, so a known one needs no query.
const CACHE_MAX = 50_000;

@Injectable()
export class EndUsersService {
  private readonly known = new Map<string, EndUser>();

  constructor(@InjectRepository(EndUser) private readonly users: Repository<EndUser>) {}

  async find(app: App, sessionId: string): Promise<EndUser | null> {
    const key = `${app.id}\n${sessionId}`;
    const cached = this.known.get(key);
    if (cached) return cached;
    const user = await this.users.findOneBy({ appId: app.id, sessionId });
    if (user) this.remember(key, user);
    return user;
  }

  private remember(key: string, user: EndUser): void {
    if (this.known.size >= CACHE_MAX) this.known.clear();
    this.known.set(key, user);
  }

  async findOrCreate(app: App, sessionId: string): Promise<EndUser> {
    const existing = await this.find(app, sessionId);
    if (existing) return existing;
    const now = new Date();
    const user: EndUser = {
      id: randomUUID(),
      workspaceId: app.workspaceId,
      appId: app.id,
      sessionId,
      type: 'service_api',
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.users.insert(user);
      this.remember(`${app.id}\n${sessionId}`, user);
      return user;
    } catch (error) {
      // Two first requests of the same user raced; the unique index kept one row.
      const winner = await this.find(app, sessionId);
      if (winner) return winner;
      throw error;
    }
  }
}
