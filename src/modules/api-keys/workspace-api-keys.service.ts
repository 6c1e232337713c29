import { randomUUID } from 'node:crypto';
import { KeyUseRecorder } from '../../common/cache/key-use.recorder';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, type Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ApiException } from '../../common/errors/api.exception';
import { InvalidParamException } from '../../common/errors/common.exceptions';
import { isUuid } from '../../common/validation/uuid';
import { FastReads } from '../../database/fast-reads';
import { runInTransaction } from '../../database/transaction';
import { App } from '../apps/app.entity';
import { Workspace } from '../workspaces/workspace.entity';
import { WorkspaceApiKey } from './workspace-api-key.entity';
import {
  WORKSPACE_KEY_PREFIX,
  generateWorkspaceKey,
  hashWorkspaceKey,
  workspaceKeyTail,
} from './workspace-api-key.token';
import { type ResolvedWorkspaceKey, WorkspaceKeyCache } from './workspace-key.cache';

/** Enough for every integration of a team; a workspace that needs more should delete unused keys. */
export const MAX_KEYS_PER_WORKSPACE = 50;

/** Anything longer is not a key of ours and is refused before it is hashed. */
const MAX_TOKEN_LENGTH = 128;

/** A key to create, as the console sends it (validated by `CreateWorkspaceApiKeyDto`). */
export interface NewWorkspaceApiKey {
  name: string;
  /** Null or absent = every app of the workspace. */
  app_ids?: string[] | null;
  /** Unix seconds; null or absent = never expires. */
  expires_at?: number | null;
  rpm?: number | null;
  max_concurrent_requests?: number | null;
}

/**
 * Workspace API keys (`sk-keel-…`): the console's list, create and delete, and the lookup the
 * OpenAI-compatible face authenticates with. The whole key exists only in the answer to its
 * creation; the table keeps its SHA-256 and last four characters. Keys are never logged.
 *
 * Deleting an app changes no key: an allowlist may then name an app that is gone, and the /v1
 * side, which only ever offers existing API-enabled apps of the key's workspace, simply never
 * matches it.
 */
@Injectable()
export class WorkspaceApiKeysService {
  private readonly logger = new Logger(WorkspaceApiKeysService.name);
  private readonly uses = new KeyUseRecorder(
    (id, at) => this.keys.update({ id }, { lastUsedAt: at }),
    this.logger,
    'workspace API key',
  );
  private readonly reads: FastReads;

  constructor(
    @InjectRepository(WorkspaceApiKey) private readonly keys: Repository<WorkspaceApiKey>,
    @InjectRepository(App) private readonly apps: Repository<App>,
    private readonly dataSource: DataSource,
    private readonly cache: WorkspaceKeyCache,
  ) {
    this.reads = new FastReads(dataSource);
  }

  /** The workspace's keys, oldest first (as app keys are listed), so a new key appears at the end. */
  list(workspaceId: string): Promise<WorkspaceApiKey[]> {
    return this.keys.find({ where: { workspaceId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * A new key and its whole token. The allowlist is checked first (400 `invalid_param` naming
   * the first id that is not an app of this workspace). The count check and the insert run in one
   * transaction that locks the workspace row (SQLite's transactions run one at a time anyway), so
   * concurrent requests cannot pass the limit together.
   */
  async create(
    workspaceId: string,
    accountId: string,
    input: NewWorkspaceApiKey,
  ): Promise<{ key: WorkspaceApiKey; token: string }> {
    const appIds = input.app_ids ? await this.appsOfWorkspace(workspaceId, input.app_ids) : null;
    const lock = this.dataSource.options.type === 'better-sqlite3' ? undefined : { mode: 'pessimistic_write' as const };
    return runInTransaction(this.dataSource, async (manager) => {
      const workspace = await manager.findOne(Workspace, { where: { id: workspaceId }, lock });
      if (!workspace) throw new ApiException(404, 'not_found', 'Workspace not found.');
      const count = await manager.count(WorkspaceApiKey, { where: { workspaceId } });
      if (count >= MAX_KEYS_PER_WORKSPACE) {
        throw new ApiException(
          400,
          'max_keys_exceeded',
          `Cannot create more than ${MAX_KEYS_PER_WORKSPACE} API keys for this workspace.`,
        );
      }
      const token = generateWorkspaceKey();
      const key: WorkspaceApiKey = {
        id: randomUUID(),
        workspaceId,
        name: input.name,
        tokenHash: hashWorkspaceKey(token),
        tokenTail: workspaceKeyTail(token),
        appIds,
        expiresAt: input.expires_at == null ? null : new Date(input.expires_at * 1000),
        rpm: input.rpm ?? null,
        maxConcurrentRequests: input.max_concurrent_requests ?? null,
        lastUsedAt: null,
        createdBy: accountId,
        createdAt: new Date(),
      };
      // simple-json columns do not fit TypeORM's deep-partial type; the value is the entity itself.
      await manager.insert(WorkspaceApiKey, key as QueryDeepPartialEntity<WorkspaceApiKey>);
      return { key, token };
    });
  }

  /** Deletes one of the workspace's keys; another workspace's id, or one that is not a UUID, is 404. */
  async remove(workspaceId: string, id: string): Promise<WorkspaceApiKey> {
    const key = isUuid(id) ? await this.keys.findOneBy({ id, workspaceId }) : null;
    if (!key) throw new ApiException(404, 'not_found', 'API key not found.');
    await this.keys.delete({ id: key.id, workspaceId });
    this.cache.forgetKey(key.id);
    return key;
  }

  /**
   * The key behind a bearer token, with its workspace (null if gone): from the cache, else one
   * prepared read, as every OpenAI-compatible request pays it. Expired keys are returned too:
   * what expiry means (and how it is reported) is the caller's decision.
   */
  async resolve(token: string): Promise<ResolvedWorkspaceKey | undefined> {
    if (!token.startsWith(WORKSPACE_KEY_PREFIX) || token.length > MAX_TOKEN_LENGTH) return undefined;
    const hash = hashWorkspaceKey(token);
    const cached = this.cache.get(hash);
    if (cached) return cached;
    const found = await this.reads.one(
      'workspace-key',
      [
        { entity: WorkspaceApiKey, alias: 'k' },
        { entity: Workspace, alias: 'w' },
      ],
      'workspace_api_keys k LEFT JOIN workspaces w ON w.id = k.workspace_id',
      'k.token_hash = :value',
      hash,
    );
    if (!found) return undefined;
    const [key, workspace] = found as [WorkspaceApiKey, Workspace | null];
    const resolved = { key, workspace };
    this.cache.set(hash, resolved);
    return resolved;
  }

  /** Records the key's use (`last_used_at`, at most once a minute per key). */
  touch(keyId: string): void {
    this.uses.record(keyId);
  }

  /**
   * The allowlist, without repeats, once every id is an app of this workspace. App ids are
   * lower-case UUIDs; ids are compared and stored lower-cased so that a case-insensitive collation
   * (MariaDB's) cannot accept an id that the /v1 side would then never match.
   */
  private async appsOfWorkspace(workspaceId: string, requested: string[]): Promise<string[]> {
    const ids = [...new Set(requested.map((id) => id.toLowerCase()))];
    const candidates = ids.filter(isUuid);
    const found = candidates.length
      ? await this.apps.find({ where: { id: In(candidates), workspaceId }, select: { id: true } })
      : [];
    const known = new Set(found.map((app) => app.id));
    const unknown = requested.find((id) => !known.has(id.toLowerCase()));
    if (unknown !== undefined) {
      throw new InvalidParamException('app_ids', `app_ids: "${unknown}" is not an app of this workspace`);
    }
    return ids;
  }
}
