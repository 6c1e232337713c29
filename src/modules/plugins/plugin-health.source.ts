import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HealthCheckRegistry, type RegisteredCheck } from '../health/health-check.registry';
import { PluginInstallationsService } from './plugin-installations.service';
import { PluginRuntimeService } from './plugin-runtime.service';

/** Supervisor states in which a plugin serves, or will start when called. */
const SERVING = new Set(['idle', 'starting', 'running', 'stopped']);

/**
 * One informational indicator per installed plugin, `plugin:<author/name>`: up while it serves or
 * has not been needed yet (`idle`), down with the reason when it crashed or was given up on. A
 * broken plugin is shown, never taken as the replica being unready.
 */
@Injectable()
export class PluginHealthSource implements OnModuleInit {
  constructor(
    private readonly registry: HealthCheckRegistry,
    private readonly installations: PluginInstallationsService,
    private readonly runtime: PluginRuntimeService,
  ) {}

  onModuleInit(): void {
    this.registry.addSource(() => this.checks());
  }

  private async checks(): Promise<RegisteredCheck[]> {
    const versions = await this.installations.installedVersions();
    const statuses = new Map(this.runtime.statuses().map(({ version, status }) => [version.id, status]));
    const byPlugin = new Map<string, typeof versions>();
    for (const version of versions)
      byPlugin.set(version.pluginId, [...(byPlugin.get(version.pluginId) ?? []), version]);
    return [...byPlugin].map(([pluginId, pluginVersions]) => {
      const key = `plugin:${pluginId}`;
      const details = pluginVersions.map((version) => {
        const status = statuses.get(version.id);
        return {
          version: version.version,
          state: status?.state ?? 'idle',
          ...(status?.pid !== undefined && { pid: status.pid }),
          ...(status?.restarts !== undefined && { restarts: status.restarts }),
          ...(status?.rssBytes !== undefined && { rssBytes: status.rssBytes }),
          ...(status?.reason && { reason: status.reason }),
        };
      });
      const failing = details.find((d) => !SERVING.has(d.state));
      // One version (the common case) is shown flat; several are listed.
      const shown =
        details.length === 1 ? details[0] : { versions: details, state: failing?.state ?? details[0].state };
      return {
        key,
        critical: false,
        run: async () => ({
          [key]: failing
            ? { status: 'down' as const, ...shown, message: failing.reason ?? `plugin is ${failing.state}` }
            : { status: 'up' as const, ...shown },
        }),
      };
    });
  }
}
