import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiException } from '../../common/errors/api.exception';
import { AppConfig } from '../../config/app-config';
import { AuditLogService } from '../audit/audit-log.service';
import { CurrentCaller, type WorkspaceCaller } from '../auth/current-caller.decorator';
import { ReqMeta, type RequestMeta } from '../auth/request-meta';
import { Roles } from '../auth/roles.decorator';
import { PluginInstallationsService } from './plugin-installations.service';
import { PluginInstallerService } from './plugin-installer.service';
import { PluginPackagesService } from './plugin-packages.service';
import { PluginPermissionsService } from './plugin-permissions.service';
import { PluginRuntimeService } from './plugin-runtime.service';
import { PluginUpgradeService } from './plugin-upgrade.service';
import { readUploadedPackage } from './plugin-upload.reader';
import {
  ChangePermissionDto,
  InstallationDto,
  InstallPackagesDto,
  ManifestQueryDto,
  PageQueryDto,
  UpgradeDto,
} from './plugins.dto';
import { declarationOf, decodedPackageOf, installedPluginOf, installTaskOf } from './plugins.wire';

const SUCCESS = { success: true };

/**
 * Dify's console plugin routes: upload a package (checked and verified), install it through a
 * queued task, list, enable/disable, uninstall, and who may do so.
 */
@ApiTags('console: plugins')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid access token (unauthorized)' })
@Controller('console/api/workspaces/current/plugin')
export class PluginsController {
  constructor(
    private readonly config: AppConfig,
    private readonly packages: PluginPackagesService,
    private readonly installer: PluginInstallerService,
    private readonly installations: PluginInstallationsService,
    private readonly permissions: PluginPermissionsService,
    private readonly audit: AuditLogService,
    private readonly runtime: PluginRuntimeService,
    private readonly upgrades: PluginUpgradeService,
  ) {}

  @Get('list')
  @ApiOperation({ summary: "The workspace's installed plugins" })
  @ApiResponse({ status: 200, description: '{plugins: [PluginEntity + enabled, verification], total}' })
  async list(@CurrentCaller() caller: WorkspaceCaller, @Query() query: PageQueryDto) {
    const { plugins, total } = await this.installations.page(caller.workspaceId, query.page, query.page_size);
    return { plugins: plugins.map(installedPluginOf), total };
  }

  @Post('upload/pkg')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { pkg: { type: 'string', format: 'binary' } }, required: ['pkg'] } })
  @ApiOperation({
    summary: 'Upload a .keelpkg: every hostile-package check, then the signature against the trusted keys',
  })
  @ApiResponse({ status: 200, description: '{unique_identifier, manifest, verification{status, key_fingerprint, …}}' })
  @ApiResponse({
    status: 400,
    description:
      'The package is refused (nothing is kept): unsafe_entry, too_many_entries, unpacked_too_large, corrupt_package, manifest_missing, manifest_invalid, missing_file, unsigned, signature_untrusted, signature_invalid, plugin_incompatible, no_file_uploaded',
  })
  @ApiResponse({ status: 403, description: "The workspace's install permission does not admit the caller" })
  @ApiResponse({ status: 413, description: 'package_too_large (PLUGIN_MAX_PACKAGE_SIZE)' })
  async upload(
    @CurrentCaller() caller: WorkspaceCaller,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.permissions.assertMayInstall(caller);
    const bytes = await readUploadedPackage(req, res, this.config.plugins.limits.maxPackageBytes);
    const version = await this.packages.accept(bytes, caller.account.id);
    await this.audit.recordBy(caller, meta, {
      action: 'plugin.uploaded',
      target: { type: 'plugin', id: version.pluginId },
      metadata: {
        plugin_unique_identifier: version.uniqueIdentifier,
        verification: version.verification.status,
        key_fingerprint: version.verification.key_fingerprint ?? null,
      },
    });
    return decodedPackageOf(version);
  }

  @Post('install/pkg')
  @HttpCode(200)
  @ApiOperation({ summary: 'Install uploaded packages into the workspace (a queued task; poll tasks/:id)' })
  @ApiResponse({ status: 200, description: '{all_installed, task_id} (task_id is "" when all were installed)' })
  @ApiResponse({
    status: 400,
    description: 'plugin_dependency_unmet, plugin_already_installed (another version), invalid_param',
  })
  @ApiResponse({ status: 404, description: 'plugin_not_found: not uploaded' })
  async install(
    @CurrentCaller() caller: WorkspaceCaller,
    @Body() body: InstallPackagesDto,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.permissions.assertMayInstall(caller);
    return this.installer.requestInstall(
      caller.workspaceId,
      { id: caller.account.id, email: caller.account.email, ip: meta.ip, userAgent: meta.userAgent },
      body.plugin_unique_identifiers,
    );
  }

  @Post('upgrade/pkg')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Move the installation to another uploaded version: started first, then switched; calls in flight on the old one finish',
  })
  @ApiResponse({ status: 200, description: '{all_installed: true, task_id: ""} (done when it answers)' })
  @ApiResponse({ status: 400, description: 'invalid_param, plugin_dependency_unmet, plugin_in_use' })
  @ApiResponse({ status: 404, description: 'plugin_installation_not_found, plugin_not_found' })
  @ApiResponse({
    status: 502,
    description: 'plugin_start_failed: the new version did not start; the old one keeps serving',
  })
  async upgrade(@CurrentCaller() caller: WorkspaceCaller, @Body() body: UpgradeDto, @ReqMeta() meta: RequestMeta) {
    await this.permissions.assertMayInstall(caller);
    const { from, to } = await this.upgrades.upgrade(
      caller.workspaceId,
      body.original_plugin_unique_identifier,
      body.new_plugin_unique_identifier,
    );
    await this.audit.recordBy(caller, meta, {
      action: 'plugin.upgraded',
      target: { type: 'plugin_installation', id: to.installation.id },
      metadata: {
        from: from.version.uniqueIdentifier,
        to: to.version.uniqueIdentifier,
        verification: to.version.verification.status,
      },
    });
    return { all_installed: true, task_id: '' };
  }

  @Get('tasks')
  @ApiOperation({ summary: "The workspace's install tasks, newest first" })
  @ApiResponse({ status: 200, description: '{tasks: [PluginInstallTask]}' })
  async tasks(@CurrentCaller() caller: WorkspaceCaller, @Query() query: PageQueryDto) {
    const tasks = await this.installer.taskPage(caller.workspaceId, query.page, query.page_size);
    return { tasks: tasks.map(installTaskOf) };
  }

  @Get('tasks/:taskId')
  @ApiOperation({ summary: 'One install task: status, and per plugin its status and error message' })
  @ApiResponse({ status: 200, description: '{task: PluginInstallTask}' })
  @ApiResponse({ status: 404, description: 'No such task in this workspace' })
  async task(@CurrentCaller() caller: WorkspaceCaller, @Param('taskId') taskId: string) {
    return { task: installTaskOf(await this.installer.task(caller.workspaceId, taskId)) };
  }

  @Get('fetch-manifest')
  @ApiOperation({ summary: "An uploaded package's manifest" })
  @ApiResponse({ status: 200, description: '{manifest}' })
  @ApiResponse({ status: 404, description: 'plugin_not_found' })
  async fetchManifest(@Query() query: ManifestQueryDto) {
    const version = await this.packages.findByIdentifier(query.plugin_unique_identifier);
    if (!version)
      throw new ApiException(404, 'plugin_not_found', `No uploaded package ${query.plugin_unique_identifier}.`);
    return { manifest: declarationOf(version.manifest) };
  }

  @Post('uninstall')
  @HttpCode(200)
  @ApiOperation({ summary: 'Uninstall a plugin from the workspace' })
  @ApiResponse({ status: 200, description: '{success: true}' })
  @ApiResponse({ status: 400, description: 'plugin_in_use: another installed plugin depends on it' })
  @ApiResponse({ status: 404, description: 'plugin_installation_not_found' })
  async uninstall(
    @CurrentCaller() caller: WorkspaceCaller,
    @Body() body: InstallationDto,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.permissions.assertMayInstall(caller);
    const { installation } = await this.installations.uninstall(caller.workspaceId, body.plugin_installation_id);
    await this.runtime.stopUnused();
    await this.audit.recordBy(caller, meta, {
      action: 'plugin.uninstalled',
      target: { type: 'plugin_installation', id: installation.id },
      metadata: { plugin_unique_identifier: installation.pluginUniqueIdentifier },
    });
    return SUCCESS;
  }

  @Post('enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enable an installed plugin (Keel)' })
  @ApiResponse({ status: 200, description: '{success: true}' })
  @ApiResponse({ status: 404, description: 'plugin_installation_not_found' })
  enable(@CurrentCaller() caller: WorkspaceCaller, @Body() body: InstallationDto, @ReqMeta() meta: RequestMeta) {
    return this.setEnabled(caller, body.plugin_installation_id, true, meta);
  }

  @Post('disable')
  @HttpCode(200)
  @ApiOperation({
    summary: "Disable an installed plugin: it stays installed but offers nothing to the workspace's apps (Keel)",
  })
  @ApiResponse({ status: 200, description: '{success: true}' })
  @ApiResponse({ status: 404, description: 'plugin_installation_not_found' })
  disable(@CurrentCaller() caller: WorkspaceCaller, @Body() body: InstallationDto, @ReqMeta() meta: RequestMeta) {
    return this.setEnabled(caller, body.plugin_installation_id, false, meta);
  }

  @Get('permission/fetch')
  @ApiOperation({ summary: 'Who may manage plugins: everyone, admins or noone' })
  @ApiResponse({ status: 200, description: '{install_permission, debug_permission}' })
  permission(@CurrentCaller() caller: WorkspaceCaller) {
    return this.permissions.get(caller.workspaceId);
  }

  @Post('permission/change')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Set who may manage plugins (owners and admins only)' })
  @ApiResponse({ status: 200, description: '{success: true}' })
  async changePermission(
    @CurrentCaller() caller: WorkspaceCaller,
    @Body() body: ChangePermissionDto,
    @ReqMeta() meta: RequestMeta,
  ) {
    const before = await this.permissions.get(caller.workspaceId);
    await this.permissions.change(caller.workspaceId, body);
    await this.audit.recordBy(caller, meta, {
      action: 'plugin.permission_changed',
      target: { type: 'workspace', id: caller.workspaceId },
      metadata: {
        before,
        after: { install_permission: body.install_permission, debug_permission: body.debug_permission },
      },
    });
    return SUCCESS;
  }

  private async setEnabled(caller: WorkspaceCaller, installationId: string, enabled: boolean, meta: RequestMeta) {
    await this.permissions.assertMayInstall(caller);
    const { installation } = await this.installations.setEnabled(caller.workspaceId, installationId, enabled);
    await this.audit.recordBy(caller, meta, {
      action: enabled ? 'plugin.enabled' : 'plugin.disabled',
      target: { type: 'plugin_installation', id: installation.id },
      metadata: { plugin_unique_identifier: installation.pluginUniqueIdentifier },
    });
    return SUCCESS;
  }
}
