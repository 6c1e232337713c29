import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MetricsService } from '@keel/metrics';
import type { PluginRequest } from '@keel/plugin-sdk/protocol';
import { AppConfig } from '../../config/app-config';
import { PluginBackwardsService } from './plugin-backwards.service';
import { PluginFilesService } from './plugin-files.service';
import { PluginInstallationsService } from './plugin-installations.service';
import { PluginPackagesService } from './plugin-packages.service';
import { type PluginEndpointGroup, readPluginEndpointGroups } from './plugin-endpoint-definitions';
import { type PluginModelProviderDefinition, readPluginModelProviders } from './plugin-model-definitions';
import { readPluginToolProviders, type PluginToolProviderDefinition } from './plugin-tool-definitions';
import type { PluginVersion } from './plugin-version.entity';
import { buildLaunchSpec } from './runtime/plugin-launch-spec';
import { PluginSupervisor, type SupervisorStatus } from './runtime/plugin-process.supervisor';

/** Whose call a plugin serves: its backwards calls run in this workspace, for this user. */
export interface PluginCallContext {
  workspaceId: string;
  userId?: string;
  signal?: AbortSignal | { aborted: boolean; addEventListener(type: 'abort', listener: () => void): void };
}

/** Without `max_concurrent_requests` in the manifest, a plugin serves this many calls at once. */
const DEFAULT_CONCURRENCY = 8;

/**
 * Runs installed plugin versions on this machine: one supervised process per version (shared by
 * every workspace that installed it), started on first use or at boot, its calls bounded by the
 * manifest's limits, its backwards calls answered in the calling workspace.
 */
@Injectable()
export class PluginRuntimeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PluginRuntimeService.name);
  private readonly supervisors = new Map<string, { version: PluginVersion; supervisor: PluginSupervisor }>();
  private readonly providers = new Map<string, Promise<PluginToolProviderDefinition[]>>();
  private readonly models = new Map<string, Promise<PluginModelProviderDefinition[]>>();
  private readonly endpoints = new Map<string, Promise<PluginEndpointGroup[]>>();

  constructor(
    private readonly config: AppConfig,
    private readonly packages: PluginPackagesService,
    private readonly files: PluginFilesService,
    private readonly installations: PluginInstallationsService,
    private readonly backwards: PluginBackwardsService,
    private readonly metrics: MetricsService,
  ) {
    metrics.onScrape(async () => this.refreshGauges());
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.plugins.runtime.startMode !== 'boot') return;
    for (const version of await this.installations.installedVersions()) {
      // In the background: one plugin that does not start must not hold up the server's boot.
      this.supervisorOf(version)
        .then((supervisor) => supervisor.start())
        .catch((error: unknown) =>
          this.logger.error({ err: error, plugin: version.uniqueIdentifier }, 'plugin did not start'),
        );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.supervisors.values()].map(({ supervisor }) => supervisor.stop()));
    this.supervisors.clear();
  }

  /** The version's tool providers, read once from its unpacked files. */
  toolProviders(version: PluginVersion): Promise<PluginToolProviderDefinition[]> {
    return this.readOnce(this.providers, version, readPluginToolProviders);
  }

  /** The version's model providers, read once from its unpacked files. */
  modelProviders(version: PluginVersion): Promise<PluginModelProviderDefinition[]> {
    return this.readOnce(this.models, version, readPluginModelProviders);
  }

  /** The version's endpoint groups (settings and routes), read once from its unpacked files. */
  endpointGroups(version: PluginVersion): Promise<PluginEndpointGroup[]> {
    return this.readOnce(this.endpoints, version, readPluginEndpointGroups);
  }

  /** One call into the version's process: the session's stream items, in order. */
  async *invoke(version: PluginVersion, request: PluginRequest, context: PluginCallContext): AsyncIterable<unknown> {
    const supervisor = await this.supervisorOf(version);
    const caller = {
      workspaceId: context.workspaceId,
      pluginId: version.pluginId,
      manifest: version.manifest,
      userId: context.userId,
    };
    const signal = toAbortSignal(context.signal);
    yield* supervisor.call(request, {
      signal,
      onBackwards: (invocation) => this.backwards.handle(caller, invocation, signal),
    });
  }

  /** What each running (or known) version is doing, for health and metrics. */
  statuses(): Array<{ version: PluginVersion; status: SupervisorStatus }> {
    return [...this.supervisors.values()].map(({ version, supervisor }) => ({
      version,
      status: supervisor.describe(),
    }));
  }

  /**
   * Stops the processes of versions no workspace has installed any more (after an uninstall or an
   * upgrade), each once the calls it is serving have finished; returns when they are told to.
   */
  async stopUnused(): Promise<void> {
    const installed = new Set((await this.installations.installedVersions()).map((v) => v.id));
    const stopping: Promise<void>[] = [];
    for (const [id, { version, supervisor }] of this.supervisors) {
      if (installed.has(id)) continue;
      this.supervisors.delete(id);
      this.providers.delete(id);
      this.models.delete(id);
      this.endpoints.delete(id);
      stopping.push(
        supervisor.drainAndStop(this.config.plugins.runtime.maxExecutionTimeoutMs).then(() => {
          this.logger.log({ plugin: version.uniqueIdentifier }, 'plugin process stopped: no longer installed');
        }),
      );
    }
    // Draining can take as long as the longest call: the caller (a console request) does not wait.
    void Promise.all(stopping).catch((error: unknown) => this.logger.error({ err: error }, 'plugin stop failed'));
  }

  /** Starts the version's process now; rejects when it does not come up (an upgrade then keeps the old one). */
  async start(version: PluginVersion): Promise<void> {
    await (await this.supervisorOf(version)).start();
  }

  private async supervisorOf(version: PluginVersion): Promise<PluginSupervisor> {
    const known = this.supervisors.get(version.id);
    if (known) return known.supervisor;
    const dir = await this.directoryOf(version);
    const again = this.supervisors.get(version.id);
    if (again) return again.supervisor;
    const { resource } = version.manifest;
    const runtime = this.config.plugins.runtime;
    const plugin = version.pluginId;
    const supervisor = new PluginSupervisor({
      name: plugin,
      spec: buildLaunchSpec({
        pluginId: plugin,
        dir,
        entrypoint: version.manifest.meta.runner.entrypoint,
        memoryBytes: resource.memory,
        scratchDir: join(
          this.config.plugins.workingDir,
          '.scratch',
          ...plugin.split('/'),
          `${version.version}@${version.checksum}`,
        ),
        heartbeatIntervalMs: runtime.heartbeatIntervalMs,
      }),
      heartbeatIntervalMs: runtime.heartbeatIntervalMs,
      memoryLimitBytes: resource.memory,
      callTimeoutMs: Math.min((resource.timeout ?? Infinity) * 1000, runtime.maxExecutionTimeoutMs),
      maxConcurrent: resource.max_concurrent_requests ?? DEFAULT_CONCURRENCY,
      maxQueued: runtime.maxQueuedCalls,
      idleStopMs: runtime.idleTimeoutMs,
      logger: this.logger,
      listener: {
        onRestart: (reason) => this.metrics.pluginRestarts.inc({ plugin, reason }),
        onCall: (outcome, seconds) => {
          this.metrics.pluginCalls.inc({ plugin, outcome });
          this.metrics.pluginCallDuration.observe({ plugin }, seconds);
        },
      },
    });
    this.supervisors.set(version.id, { version, supervisor });
    return supervisor;
  }

  /** A declaration file set of the version, read from its directory once (again after a failure). */
  private readOnce<T>(
    cache: Map<string, Promise<T>>,
    version: PluginVersion,
    read: (dir: string, manifest: PluginVersion['manifest']) => Promise<T>,
  ): Promise<T> {
    let value = cache.get(version.id);
    if (!value) {
      value = this.directoryOf(version).then((dir) => read(dir, version.manifest));
      value.catch(() => cache.delete(version.id));
      cache.set(version.id, value);
    }
    return value;
  }

  /** This machine's copy of the version, unpacked from the stored package when it has none. */
  private async directoryOf(version: PluginVersion): Promise<string> {
    if (await this.files.isUnpacked(version)) return this.files.directoryOf(version);
    const { pkg } = await this.packages.load(version);
    return this.files.ensureUnpacked(version, pkg);
  }

  private refreshGauges(): void {
    this.metrics.pluginProcesses.reset();
    this.metrics.pluginRssBytes.reset();
    for (const { version, status } of this.statuses()) {
      this.metrics.pluginProcesses.inc({ plugin: version.pluginId, state: status.state });
      if (status.rssBytes !== undefined) this.metrics.pluginRssBytes.set({ plugin: version.pluginId }, status.rssBytes);
    }
  }
}

/** Keel's run path carries its own cancellation object; the supervisor takes a DOM AbortSignal. */
function toAbortSignal(signal: PluginCallContext['signal']): AbortSignal | undefined {
  if (!signal) return undefined;
  if (signal instanceof AbortSignal) return signal;
  const controller = new AbortController();
  if (signal.aborted) controller.abort();
  else signal.addEventListener('abort', () => controller.abort());
  return controller.signal;
}
