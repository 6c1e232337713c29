import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ApiException } from '../../common/errors/api.exception';
import type { WorkspaceCaller } from '../auth/current-caller.decorator';
import { roleSatisfies } from '../workspaces/workspace-role';
import { PluginPermission, type PluginPermissionLevel } from './plugin-permission.entity';

export interface PluginPermissions {
  install_permission: PluginPermissionLevel;
  debug_permission: PluginPermissionLevel;
}

const DEFAULTS: PluginPermissions = { install_permission: 'everyone', debug_permission: 'everyone' };

/** Who may manage a workspace's plugins (Dify's `TenantPluginPermission`). */
@Injectable()
export class PluginPermissionsService {
  constructor(@InjectRepository(PluginPermission) private readonly permissions: Repository<PluginPermission>) {}

  async get(workspaceId: string): Promise<PluginPermissions> {
    const row = await this.permissions.findOneBy({ workspaceId });
    return row ? { install_permission: row.installPermission, debug_permission: row.debugPermission } : { ...DEFAULTS };
  }

  async change(workspaceId: string, next: PluginPermissions): Promise<void> {
    await this.permissions.upsert(
      {
        workspaceId,
        installPermission: next.install_permission,
        debugPermission: next.debug_permission,
        updatedAt: new Date(),
      },
      ['workspaceId'],
    );
  }

  /** 403 unless the workspace's install permission admits the caller. */
  async assertMayInstall(caller: WorkspaceCaller): Promise<void> {
    const { install_permission: level } = await this.get(caller.workspaceId);
    if (level === 'everyone') return;
    if (level === 'admins' && roleSatisfies(caller.role, 'admin')) return;
    throw new ApiException(
      403,
      'forbidden',
      level === 'noone'
        ? 'Plugin installation is turned off in this workspace (install permission: no one).'
        : 'Only owners and admins may manage plugins in this workspace.',
    );
  }
}
