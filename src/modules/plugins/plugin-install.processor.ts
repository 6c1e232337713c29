import { type JobContext, type JobHandler, QueueProcessor } from '@keel/queue';
import { PLUGINS_QUEUE, type InstallJobData } from './plugin-install.job';
import { PluginInstallerService } from './plugin-installer.service';

/** Carries out install tasks; failures are recorded in the task, so the job itself rarely fails. */
@QueueProcessor(PLUGINS_QUEUE, { concurrency: 2 })
export class PluginInstallProcessor implements JobHandler<InstallJobData, { status: string }> {
  constructor(private readonly installer: PluginInstallerService) {}

  async handle(job: JobContext<InstallJobData>): Promise<{ status: string }> {
    try {
      const task = await this.installer.runTask(job.data);
      return { status: task.status };
    } catch (error) {
      // The task must not stay "running" for a console that polls it.
      await this.installer.failTask(job.data.taskId, error);
      throw error;
    }
  }
}
