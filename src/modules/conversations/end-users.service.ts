import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { App } from '../apps/app.entity';
import { EndUser } from './end-user.entity';

/** The end users an app's API callers name with `user`, created on first sight. */
@Injectable()
export class EndUsersService {
  constructor(@InjectRepository(EndUser) private readonly users: Repository<EndUser>) {}

  find(app: App, sessionId: string): Promise<EndUser | null> {
    return this.users.findOneBy({ appId: app.id, sessionId });
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
      return user;
    } catch (error) {
      // Two first requests of the same user raced; the unique index kept one row.
      const winner = await this.find(app, sessionId);
      if (winner) return winner;
      throw error;
    }
  }
}
