import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './server-process';

/**
 * A throw-away redis-server of the test's own, on its own port, that the test can stop and
 * start again (the machine's shared Redis must never be stopped by a test).
 */
export class TestRedisServer {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'keel-redis-'));

  private constructor(
    readonly port: number,
    private readonly extraArgs: (server: TestRedisServer) => string[],
  ) {}

  /** `extraArgs` adds server options (cluster mode, or a sentinel config file). */
  static async start(extraArgs: (server: TestRedisServer) => string[] = () => []): Promise<TestRedisServer> {
    const server = new TestRedisServer(await freePort(), extraArgs);
    await server.startAgain();
    return server;
  }

  /** A private directory for the server's files. */
  get directory(): string {
    return this.dir;
  }

  static binary(): string {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async startAgain(): Promise<void> {
    this.child = spawn(
      TestRedisServer.binary(),
      [
        ...this.extraArgs(this),
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = new Redis(this.port, '127.0.0.1', {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      try {
        await client.connect();
        await client.ping();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        // After a refused attempt the socket is already closed; disconnecting again would leave
        // ioredis's 2 s stream-destroy timer running and hold the test process open.
        if (client.status !== 'end') await client.quit().catch(() => client.disconnect());
      }
    }
  }

  /** Kills it hard, as a crash or a network cut would. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
