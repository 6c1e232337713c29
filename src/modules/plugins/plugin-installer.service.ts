import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { QueueService } from '@keel/queue';
import { ApiException } from '../../common/errors/api.exception';
import { errorMessage } from '../../common/errors/error-message';
import { isUuid } from '../../common/validation/uuid';
import { isUniqueViolation } from '../../database/unique-violation';
import { AuditLogService } from '../audit/audit-log.service';
import { installOrder, unmetDependencies } from './plugin-dependencies';
import { PluginFilesService } from './plugin-files.service';
import { INSTALL_JOB, type InstallActor, type InstallJobData, PLUGINS_QUEUE } from './plugin-install.job';
import { type InstallTaskItem, PluginInstallTask } from './plugin-install-task.entity';
import { PluginInstallation } from './plugin-installation.entity';
import { type InstalledPlugin, PluginInstallationsService } from './plugin-installations.service';
import { PluginPackagesService } from './plugin-packages.service';
import { PluginVersion } from './plugin-version.entity';

/** An install can take a while on a big package; a job stuck beyond this is failed. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

/** The plugins a workspace has, at which version: what dependencies are checked against. */
type Installed = InstalledPlugin;

/**
 * Installs uploaded versions into a workspace through the queue: the request is checked at once
 * (known packages, no other version installed, dependencies met, within the batch too), then a
 * task records the progress of the job that unpacks each version and records the installation.
 */
@Injectable()
export class PluginInstallerService {
  private readonly logger = new Logger(PluginInstallerService.name);

  constructor(
    private readonly packages: PluginPackagesService,
    private readonly files: PluginFilesService,
    private readonly queue: QueueService,
    private readonly audit: AuditLogService,
    private readonly installations: PluginInstallationsService,
    @InjectRepository(PluginVersion) private readonly versions: Repository<PluginVersion>,
    @InjectRepository(PluginInstallation) private readonly installationRows: Repository<PluginInstallation>,
    @InjectRepository(PluginInstallTask) private readonly tasks: Repository<PluginInstallTask>,
  ) {}

  /** Checks the request and queues it; `all_installed` when there is nothing to do. */
  async requestInstall(
    workspaceId: string,
    actor: InstallActor,
    identifiers: readonly string[],
  ): Promise<{ all_installed: boolean; task_id: string }> {
    const unique = [...new Set(identifiers)];
    const versions = await this.versions.findBy({ uniqueIdentifier: In(unique) });
    const missing = unique.filter((id) => !versions.some((v) => v.uniqueIdentifier === id));
    if (missing.length > 0) {
      throw new ApiException(404, 'plugin_not_found', `No uploaded package ${missing.join(', ')}: upload it first.`);
    }
    const batchIds = new Set<string>();
    for (const version of versions) {
      if (batchIds.has(version.pluginId)) {
        throw new ApiException(400, 'invalid_param', `Two versions of ${version.pluginId} in one request.`);
      }
      batchIds.add(version.pluginId);
    }
    const installed = await this.installed(workspaceId);
    const todo: PluginVersion[] = [];
    for (const version of versions) {
      const current = installed.get(version.pluginId);
      if (current?.version.id === version.id) continue;
      if (current) {
        throw new ApiException(
          400,
          'plugin_already_installed',
          `${version.pluginId} ${current.version.version} is installed in this workspace; uninstall it before installing ${version.version}.`,
        );
      }
      todo.push(version);
    }
    this.assertDependencies(todo, installed);
    if (todo.length === 0) return { all_installed: true, task_id: '' };

    const now = new Date();
    const task: PluginInstallTask = {
      id: randomUUID(),
      workspaceId,
      status: 'pending',
      totalPlugins: todo.length,
      completedPlugins: 0,
      plugins: installOrder(todo).map(itemOf),
      createdBy: actor.id,
      createdAt: now,
      updatedAt: now,
    };
    await this.tasks.insert(task as QueryDeepPartialEntity<PluginInstallTask>);
    const data: InstallJobData = { taskId: task.id, actor };
    try {
      // One attempt: a failed install is reported in its task for a person to act on, not retried.
      await this.queue.add(PLUGINS_QUEUE, INSTALL_JOB, data, {
        attempts: 1,
        timeoutMs: INSTALL_TIMEOUT_MS,
        jobId: task.id,
      });
    } catch (error) {
      await this.tasks.delete({ id: task.id });
      throw error;
    }
    return { all_installed: false, task_id: task.id };
  }

  /** The queue job: installs each plugin of the task in order, recording progress as it goes. */
  async runTask(data: InstallJobData): Promise<PluginInstallTask> {
    const task = await this.tasks.findOneBy({ id: data.taskId });
    if (!task) throw new Error(`Install task ${data.taskId} does not exist`);
    if (task.status === 'success' || task.status === 'failed') return task;
    task.status = 'running';
    await this.save(task);
    for (const item of task.plugins) {
      if (item.status === 'success') continue;
      item.status = 'running';
      await this.save(task);
      try {
        await this.installOne(task.workspaceId, item.plugin_unique_identifier, data.actor);
        item.status = 'success';
        item.message = '';
      } catch (error) {
        item.status = 'failed';
        item.message = errorMessage(error);
        this.logger.warn(
          { task: task.id, plugin: item.plugin_unique_identifier, reason: item.message },
          'plugin install failed',
        );
        await this.audit.record({
          action: 'plugin.install_failed',
          workspaceId: task.workspaceId,
          actorId: data.actor.id,
          actorEmail: data.actor.email,
          ip: data.actor.ip,
          userAgent: data.actor.userAgent,
          target: { type: 'plugin', id: item.plugin_id },
          metadata: { plugin_unique_identifier: item.plugin_unique_identifier, reason: item.message },
        });
      }
      task.completedPlugins += 1;
      await this.save(task);
    }
    task.status = task.plugins.every((item) => item.status === 'success') ? 'success' : 'failed';
    await this.save(task);
    return task;
  }

  /** Marks an unfinished task failed (the job itself broke, e.g. the database went away). */
  async failTask(taskId: string, error: unknown): Promise<void> {
    const task = await this.tasks.findOneBy({ id: taskId }).catch(() => null);
    if (!task || task.status === 'success' || task.status === 'failed') return;
    for (const item of task.plugins) {
      if (item.status === 'success' || item.status === 'failed') continue;
      item.status = 'failed';
      item.message = errorMessage(error);
    }
    task.status = 'failed';
    await this.save(task).catch((saveError: unknown) => {
      this.logger.error({ err: saveError, task: taskId }, 'install task not marked failed');
    });
  }

  private async installOne(workspaceId: string, uniqueIdentifier: string, actor: InstallActor): Promise<void> {
    const version = await this.versions.findOneBy({ uniqueIdentifier });
    if (!version) throw new Error(`The package ${uniqueIdentifier} is no longer on this server; upload it again.`);
    const installed = await this.installed(workspaceId);
    const current = installed.get(version.pluginId);
    if (current?.version.id === version.id) return;
    if (current) throw new Error(`${version.pluginId} ${current.version.version} was installed in the meantime.`);
    this.assertDependencies([version], installed);
    // Read and verified again: the package comes back from storage, and the trusted keys may have changed.
    const { pkg } = await this.packages.load(version);
    await this.files.ensureUnpacked(version, pkg);
    const now = new Date();
    const installation: PluginInstallation = {
      id: randomUUID(),
      workspaceId,
      pluginId: version.pluginId,
      versionId: version.id,
      pluginUniqueIdentifier: version.uniqueIdentifier,
      enabled: true,
      installedBy: actor.id,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.installationRows.insert(installation as QueryDeepPartialEntity<PluginInstallation>);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.installationRows.findOneBy({ workspaceId, pluginId: version.pluginId });
      if (winner?.versionId === version.id) return;
      throw new Error(`Another version of ${version.pluginId} was installed in the meantime.`);
    }
    this.logger.log({ workspace: workspaceId, plugin: version.uniqueIdentifier }, 'plugin installed');
    await this.audit.record({
      action: 'plugin.installed',
      workspaceId,
      actorId: actor.id,
      actorEmail: actor.email,
      ip: actor.ip,
      userAgent: actor.userAgent,
      target: { type: 'plugin_installation', id: installation.id },
      metadata: {
        plugin_unique_identifier: version.uniqueIdentifier,
        verification: version.verification.status,
        key_fingerprint: version.verification.key_fingerprint ?? null,
      },
    });
  }

  /** One of the workspace's tasks, or 404. */
  async task(workspaceId: string, id: string): Promise<PluginInstallTask> {
    const task = isUuid(id) ? await this.tasks.findOneBy({ id, workspaceId }) : null;
    if (!task) throw new ApiException(404, 'not_found', 'Install task not found.');
    return task;
  }

  /** The workspace's tasks, newest first. */
  taskPage(workspaceId: string, page: number, pageSize: number): Promise<PluginInstallTask[]> {
    return this.tasks.find({
      where: { workspaceId },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
  }

  /** A workspace's installations with their versions, by plugin id. */
  async installed(workspaceId: string): Promise<Map<string, Installed>> {
    return new Map((await this.installations.all(workspaceId)).map((i) => [i.installation.pluginId, i]));
  }

  private assertDependencies(batch: readonly PluginVersion[], installed: Map<string, Installed>): void {
    const available = new Map([...installed].map(([id, { version }]) => [id, version.version]));
    for (const version of batch) available.set(version.pluginId, version.version);
    for (const version of batch) {
      const unmet = unmetDependencies(version.manifest, available);
      if (unmet.length > 0) {
        throw new ApiException(
          400,
          'plugin_dependency_unmet',
          `${version.pluginId} ${version.version} depends on plugins this workspace lacks: ${unmet.join('; ')}.`,
        );
      }
    }
  }

  private async save(task: PluginInstallTask): Promise<void> {
    task.updatedAt = new Date();
    await this.tasks.update({ id: task.id }, {
      status: task.status,
      completedPlugins: task.completedPlugins,
      plugins: task.plugins,
      updatedAt: task.updatedAt,
    } as QueryDeepPartialEntity<PluginInstallTask>);
  }
}

function itemOf(version: PluginVersion): InstallTaskItem {
  return {
    plugin_unique_identifier: version.uniqueIdentifier,
    plugin_id: version.pluginId,
    status: 'pending',
    message: '',
    icon: version.manifest.icon,
    labels: version.manifest.label,
  };
}
