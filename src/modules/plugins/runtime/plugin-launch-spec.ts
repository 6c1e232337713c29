/** What a supervised plugin process is started from. */
export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  /** The whole environment: nothing of the server's is inherited. */
  env: Record<string, string>;
  /** The one directory the plugin may write (created before the start). */
  scratchDir: string;
}

export interface LaunchInput {
  /** `author/name`. */
  pluginId: string;
  /** The unpacked version's directory. */
  dir: string;
  /** The manifest's `meta.runner.entrypoint`, relative to `dir`. */
  entrypoint: string;
  /** The manifest's `resource.memory`, in bytes. */
  memoryBytes: number;
  scratchDir: string;
  heartbeatIntervalMs: number;
}

const MiB = 1024 * 1024;

/**
 * `node` under Node 20's permission model: reads only in its own directory (and its scratch
 * directory), writes only in its scratch directory, no child processes, no workers (both denied
 * unless granted); V8's heap capped from `resource.memory` (the supervisor caps the RSS too, which
 * Buffers count toward); an environment built from nothing, so none of Keel's secrets reach it.
 * Node 20 cannot restrict network access; the README says so.
 */
export function buildLaunchSpec(input: LaunchInput): LaunchSpec {
  const heapMiB = Math.max(16, Math.floor(input.memoryBytes / MiB));
  return {
    command: process.execPath,
    args: [
      `--max-old-space-size=${heapMiB}`,
      '--experimental-permission',
      `--allow-fs-read=${withSlash(input.dir)}`,
      `--allow-fs-read=${withSlash(input.scratchDir)}`,
      `--allow-fs-write=${withSlash(input.scratchDir)}`,
      '--disable-warning=ExperimentalWarning',
      input.entrypoint,
    ],
    cwd: input.dir,
    env: {
      NODE_ENV: 'production',
      TZ: 'UTC',
      LANG: 'C.UTF-8',
      KEEL_PLUGIN_ID: input.pluginId,
      KEEL_PLUGIN_SCRATCH_DIR: input.scratchDir,
      KEEL_PLUGIN_HEARTBEAT_MS: String(input.heartbeatIntervalMs),
    },
    scratchDir: input.scratchDir,
  };
}

/** A grant for the directory and everything below it. */
const withSlash = (dir: string) => (dir.endsWith('/') ? dir : `${dir}/`);
