import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { PluginStorageEntry } from './plugin-storage-entry.entity';

/** Why a storage call was refused; the plugin sees it as the backwards call's `error_type`. */
export class PluginStorageError extends Error {
  constructor(
    readonly errorType: 'InvalidKey' | 'StorageQuotaExceeded' | 'InvalidValue',
    message: string,
  ) {
    super(message);
    this.name = 'PluginStorageError';
  }
}

const KEY = /^[\x20-\x7e]{1,255}$/;

/**
 * A plugin's key-value storage in one workspace, within the manifest's `storage.size` (the sum
 * of the values' decoded bytes). A plugin never sees another plugin's or workspace's keys.
 */
@Injectable()
export class PluginStorageService {
  constructor(@InjectRepository(PluginStorageEntry) private readonly entries: Repository<PluginStorageEntry>) {}

  async get(workspaceId: string, pluginId: string, key: string): Promise<string | null> {
    assertKey(key);
    return (await this.entries.findOneBy({ workspaceId, pluginId, key }))?.value ?? null;
  }

  async set(workspaceId: string, pluginId: string, key: string, base64: string, quotaBytes: number): Promise<void> {
    assertKey(key);
    if (typeof base64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) {
      throw new PluginStorageError('InvalidValue', 'A storage value must be base64.');
    }
    const size = Buffer.byteLength(base64, 'base64');
    const used = await this.entries
      .createQueryBuilder('e')
      .select('COALESCE(SUM(e.size), 0)', 'used')
      .where('e.workspace_id = :workspaceId AND e.plugin_id = :pluginId AND e.key <> :key', {
        workspaceId,
        pluginId,
        key,
      })
      .getRawOne<{ used: string | number }>();
    if (Number(used?.used ?? 0) + size > quotaBytes) {
      throw new PluginStorageError(
        'StorageQuotaExceeded',
        `Storing ${size} bytes under "${key}" would exceed the plugin's storage of ${quotaBytes} bytes (resource.permission.storage.size).`,
      );
    }
    await this.entries.upsert({ workspaceId, pluginId, key, value: base64, size, updatedAt: new Date() }, [
      'workspaceId',
      'pluginId',
      'key',
    ]);
  }

  async delete(workspaceId: string, pluginId: string, key: string): Promise<void> {
    assertKey(key);
    await this.entries.delete({ workspaceId, pluginId, key });
  }
}

function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !KEY.test(key)) {
    throw new PluginStorageError('InvalidKey', 'A storage key is 1 to 255 printable ASCII characters.');
  }
}
