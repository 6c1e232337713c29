import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import { ApiException } from '../../common/errors/api.exception';
import { runInTransaction } from '../../database/transaction';
import { AppApiKey } from './app-api-key.entity';
import { AppKeyCache } from './app-key.cache';
import { appKeyTail, generateAppKey, hashAppKey } from './app-api-key.token';
import { App } from './app.entity';
import { isUuid } from '../../common/validation/uuid';
import { AppsService } from './apps.service';

/** Dify's limit per app. */
export const MAX_KEYS_PER_APP = 10;

/**
 * An app's Service API keys. The whole key exists only in the answer to its creation; the table
 * keeps its SHA-256 and last four characters. Keys are never logged.
 */
@Injectable()
export class AppApiKeysService {
  constructor(
    @InjectRepository(AppApiKey) private readonly keys: Repository<AppApiKey>,
    private readonly dataSource: DataSource,
    private readonly apps: AppsService,
    private readonly keyCache: AppKeyCache,
  ) {}

  /** The app's keys, oldest first (404 when the app is not in the workspace). */
  async list(workspaceId: string, appId: string): Promise<AppApiKey[]> {
    const app = await this.apps.get(workspaceId, appId);
    return this.keys.find({ where: { appId: app.id, workspaceId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * A new key and its whole token. The count check and the insert run in one transaction that
   * locks the app row (SQLite's transactions run one at a time anyway), so concurrent requests
   * cannot pass the limit together.
   */
  async create(workspaceId: string, appId: string, accountId: string): Promise<{ key: AppApiKey; token: string }> {
    await this.apps.get(workspaceId, appId);
    const lock = this.dataSource.options.type === 'better-sqlite3' ? undefined : { mode: 'pessimistic_write' as const };
    return runInTransaction(this.dataSource, async (manager) => {
      const app = await manager.findOne(App, { where: { id: appId, workspaceId }, lock });
      if (!app) throw new ApiException(404, 'not_found', 'App not found.');
      const count = await manager.count(AppApiKey, { where: { appId } });
      if (count >= MAX_KEYS_PER_APP) {
        throw new ApiException(
          400,
          'max_keys_exceeded',
          `Cannot create more than ${MAX_KEYS_PER_APP} API keys for this resource type.`,
        );
      }
      const token = generateAppKey();
      const key: AppApiKey = {
        id: randomUUID(),
        appId,
        workspaceId,
        tokenHash: hashAppKey(token),
        tokenTail: appKeyTail(token),
        lastUsedAt: null,
        createdBy: accountId,
        createdAt: new Date(),
      };
      await manager.insert(AppApiKey, key);
      return { key, token };
    });
  }

  /** Deletes one of the app's keys; another app's or workspace's key id is 404. */
  async remove(workspaceId: string, appId: string, keyId: string): Promise<AppApiKey> {
    const app = await this.apps.get(workspaceId, appId);
    const key = isUuid(keyId) ? await this.keys.findOneBy({ id: keyId, appId: app.id, workspaceId }) : null;
    if (!key) throw new ApiException(404, 'not_found', 'API key not found.');
    await this.keys.delete({ id: key.id, appId: app.id });
    this.keyCache.forgetKey(key.id);
    return key;
  }
}
