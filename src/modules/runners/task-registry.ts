import { Cancellation, type CancelSignal } from '../../common/lifecycle/cancel-signal';
import { Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import { RedisService } from '@keel/redis';

interface LocalTask {
  controller: Cancellation;
  owner: string;
}

export const STOPPED = 'stopped';

// One hash slot for every stop flag (the {…} tag), so a single MGET works on Redis Cluster too.
const stopKey = (taskId: string) => `tasks:{stop}:${taskId}`;

const OWNER_TTL_MS = 60 * 60_000;
const STOP_TTL_MS = 10 * 60_000;
// How often this process checks Redis for stop requests of the tasks it runs (one MGET for all).
const POLL_MS = 250;

/**
 * Running generation tasks, so that `POST …/:task_id/stop` can stop one — from any replica when
 * Redis is configured (the owner and a stop flag live there, and each process polls for its own
 * tasks), within this process otherwise. Only the app and end user that started a task may stop
 * it; any other request is answered the same way and does nothing (Dify's behaviour).
 */
@Injectable()
export class TaskRegistry implements OnModuleDestroy {
  private readonly logger = new Logger(TaskRegistry.name);
  private readonly tasks = new Map<string, LocalTask>();
  private poller?: NodeJS.Timeout;

  constructor(@Optional() private readonly redis?: RedisService) {}

  /** Registers a task; its signal aborts with reason `STOPPED` when someone stops it. */
  async register(
    taskId: string,
    appId: string,
    endUserId: string,
  ): Promise<{ signal: CancelSignal; done: () => void }> {
    const task = { controller: new Cancellation(), owner: `${appId}:${endUserId}` };
    this.tasks.set(taskId, task);
    if (this.redis) {
      await this.safely(() => this.redis!.client.set(`tasks:owner:${taskId}`, task.owner, 'PX', OWNER_TTL_MS));
      this.poller ??= setInterval(() => void this.poll(), POLL_MS).unref();
    }
    return {
      signal: task.controller,
      done: () => {
        this.tasks.delete(taskId);
        if (this.tasks.size === 0 && this.poller) {
          clearInterval(this.poller);
          this.poller = undefined;
        }
      },
    };
  }

  async stop(taskId: string, appId: string, endUserId: string): Promise<void> {
    const owner = `${appId}:${endUserId}`;
    const local = this.tasks.get(taskId);
    if (local) {
      if (local.owner === owner) local.controller.abort(STOPPED);
      return;
    }
    if (!this.redis) return;
    await this.safely(async () => {
      const client = this.redis!.client;
      if ((await client.get(`tasks:owner:${taskId}`)) === owner) {
        await client.set(stopKey(taskId), '1', 'PX', STOP_TTL_MS);
      }
    });
  }

  private async poll(): Promise<void> {
    const ids = [...this.tasks.keys()];
    if (ids.length === 0) return;
    const flags = await this.safely(() => this.redis!.client.mget(ids.map(stopKey)));
    flags?.forEach((flag, i) => {
      if (flag) this.tasks.get(ids[i])?.controller.abort(STOPPED);
    });
  }

  private async safely<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      this.logger.warn({ err: error }, 'task stop state unavailable (Redis)');
      return undefined;
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.poller);
  }
}
