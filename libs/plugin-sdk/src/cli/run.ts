import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { readLines } from '../line-reader';
import {
  encodeMessage,
  isRecord,
  parsePluginMessage,
  type BackwardsInvocation,
  type HostMessage,
  type PluginDescription,
  type PluginMessage,
  type PluginRequest,
} from '../protocol';
import { CliError } from './cli-error';
import { vendorRuntime } from './vendor';

export interface RunOptions {
  dir: string;
  /** The entrypoint, relative to `dir` (from the manifest's `meta.runner.entrypoint`). */
  entrypoint: string;
  input: Readable;
  output: Writable;
  errors: Writable;
  /** Print the plugin's lines as they are (JSON lines) instead of a readable summary. */
  raw?: boolean;
  /** Print heartbeats and debug logs too. */
  verbose?: boolean;
  env?: Record<string, string | undefined>;
}

/** What `run` knows of the plugin, to fill in what a shorthand request leaves out. */
export interface RunState {
  description?: PluginDescription;
  nextSession: number;
}

export const RUN_HELP = `Type one request per line; Ctrl-D (end of input) waits for the answers and stops.
  {"tool": "echo", "parameters": {"text": "hi"}}     invoke a tool ("provider" and "credentials" optional)
  {"model": "m", "prompt": "hello"}                  invoke a model provider's LLM ("provider", "prompt_messages", "credentials" optional)
  {"endpoint": "/path", "method": "POST", "body": "…"}  call an endpoint ("headers", "query", "settings" optional)
  {"event": "request", "data": {…}}                  any host message, sent as it is (a session_id is added if missing)
  describe                                           what the plugin registered
  help                                               this text
Backwards calls: storage works (in memory, for this run); LLM and tool calls are answered with an
error, as no Keel server is connected.`;

function single<T>(items: T[] | undefined, what: string): T | undefined {
  if (!items || items.length === 0) return undefined;
  if (items.length > 1) throw new CliError(`the plugin has several ${what}: say which with "provider"`);
  return items[0];
}

/**
 * Turn a line the developer typed into a host message, or undefined for an empty line. Throws a
 * CliError for a line it cannot understand.
 */
export function toHostMessage(line: string, state: RunState): HostMessage | undefined {
  const text = line.trim();
  if (!text) return undefined;
  const sessionId = `run-${++state.nextSession}`;
  if (text === 'describe') {
    return { session_id: sessionId, event: 'request', data: { type: 'plugin', action: 'describe' } };
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    throw new CliError('not JSON (type "help" for the forms a request can take)');
  }
  if (!isRecord(input)) throw new CliError('a request is a JSON object (type "help")');
  if (typeof input.event === 'string') {
    return {
      ...(input as unknown as HostMessage),
      session_id: typeof input.session_id === 'string' ? input.session_id : sessionId,
    };
  }
  const description = state.description;
  let data: PluginRequest;
  if (typeof input.tool === 'string') {
    const provider =
      typeof input.provider === 'string'
        ? input.provider
        : (description?.tools.find((p) => p.tools.some((t) => t.name === input.tool))?.provider ??
          single(description?.tools, 'tool providers')?.provider);
    if (!provider) throw new CliError('which tool provider? add "provider"');
    data = {
      type: 'tool',
      action: 'invoke',
      provider,
      tool: input.tool,
      parameters: isRecord(input.parameters) ? input.parameters : {},
      credentials: isRecord(input.credentials) ? input.credentials : {},
    };
  } else if (typeof input.model === 'string') {
    const provider =
      typeof input.provider === 'string' ? input.provider : single(description?.models, 'model providers')?.provider;
    if (!provider) throw new CliError('which model provider? add "provider"');
    const messages = Array.isArray(input.prompt_messages)
      ? input.prompt_messages
      : [{ role: 'user', content: typeof input.prompt === 'string' ? input.prompt : '' }];
    data = {
      type: 'model',
      action: 'invoke_llm',
      provider,
      model: input.model,
      prompt_messages: messages as never,
      credentials: isRecord(input.credentials) ? input.credentials : {},
      model_parameters: isRecord(input.model_parameters) ? input.model_parameters : {},
      stream: true,
    };
  } else if (typeof input.endpoint === 'string') {
    const body =
      input.body === undefined ? undefined : typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
    data = {
      type: 'endpoint',
      action: 'invoke',
      method: typeof input.method === 'string' ? input.method : body === undefined ? 'GET' : 'POST',
      path: input.endpoint,
      ...(typeof input.query === 'string' ? { query: input.query } : {}),
      headers: isRecord(input.headers) ? (input.headers as Record<string, string>) : {},
      ...(body === undefined ? {} : { body: Buffer.from(body, 'utf8').toString('base64') }),
      ...(isRecord(input.settings) ? { settings: input.settings } : {}),
    };
  } else {
    throw new CliError('say "tool", "model" or "endpoint" (type "help")');
  }
  return { session_id: sessionId, event: 'request', data };
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One plugin message, as `run` prints it for a person; undefined to print nothing. */
export function formatMessage(message: PluginMessage, verbose: boolean): string | undefined {
  switch (message.event) {
    case 'heartbeat':
      return verbose ? `[heartbeat] ${message.data.active_sessions} open session(s)` : undefined;
    case 'log':
      if (message.data.level === 'debug' && !verbose) return undefined;
      return `[log ${message.data.level}${message.session_id ? ` ${message.session_id}` : ''}] ${message.data.message}`;
    case 'error':
      return `[error${message.session_id ? ` ${message.session_id}` : ''}] ${message.data.error_type}: ${message.data.message}`;
    case 'session': {
      const prefix = `[${message.session_id}]`;
      const data = message.data;
      switch (data.type) {
        case 'end':
          return `${prefix} end`;
        case 'error':
          return `${prefix} error ${data.data.error_type}${data.data.parameter ? ` (${data.data.parameter})` : ''}: ${data.data.message}`;
        case 'invoke':
          return `${prefix} backwards ${data.data.type} call: ${JSON.stringify(data.data.request)}`;
        case 'stream': {
          const item = data.data;
          if (isRecord(item) && item.type === 'text' && typeof item.text === 'string')
            return `${prefix} text: ${item.text}`;
          if (isRecord(item) && item.type === 'json' && 'json' in item)
            return `${prefix} json: ${JSON.stringify(item.json)}`;
          if (isRecord(item) && item.type === 'blob' && typeof item.blob === 'string') {
            return `${prefix} blob: ${show(item.mime_type)}, ${Buffer.from(item.blob, 'base64').length} bytes`;
          }
          if (isRecord(item) && isRecord(item.delta) && isRecord(item.delta.message)) {
            return `${prefix} delta: ${show(item.delta.message.content)}${item.delta.finish_reason ? ` (${show(item.delta.finish_reason)})` : ''}`;
          }
          if (isRecord(item) && typeof item.status === 'number' && typeof item.body === 'string') {
            return `${prefix} HTTP ${item.status} ${JSON.stringify(item.headers)}\n${Buffer.from(item.body, 'base64').toString('utf8')}`;
          }
          return `${prefix} ${isRecord(item) && typeof item.type === 'string' ? `${item.type}: ` : ''}${JSON.stringify(item)}`;
        }
      }
    }
  }
}

/** Answers for the plugin's backwards calls while no Keel server is connected. */
export class LocalHost {
  private readonly storage = new Map<string, string>();

  answer(invocation: BackwardsInvocation): { responses: unknown[] } | { error: string } {
    switch (invocation.type) {
      case 'storage': {
        const request = invocation.request;
        if (request.opt === 'get') return { responses: [{ value: this.storage.get(request.key) ?? null }] };
        if (request.opt === 'set') this.storage.set(request.key, request.value);
        else this.storage.delete(request.key);
        return { responses: [{ ok: true }] };
      }
      default:
        return {
          error: `backwards ${String(invocation.type)} calls need a Keel server, and keel-plugin run has none connected (storage works locally)`,
        };
    }
  }
}

/**
 * `keel-plugin run <dir>`: start the plugin's entrypoint as `node <entrypoint>` (the host's way,
 * with the SDK vendored from this CLI unless the plugin has its own), send what the developer
 * types as requests and print the answers. Resolves to the exit code.
 */
export async function run(options: RunOptions): Promise<number> {
  const dir = resolve(options.dir);
  const entry = join(dir, options.entrypoint);
  if (!existsSync(entry)) throw new CliError(`the entrypoint ${options.entrypoint} does not exist in ${options.dir}`);
  const scratch = await mkdtemp(join(tmpdir(), 'keel-plugin-run-'));
  try {
    await vendorRuntime(join(scratch, 'node_modules'));
    return await drive(options, dir, entry, join(scratch, 'node_modules'));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function drive(options: RunOptions, dir: string, entry: string, nodePath: string): Promise<number> {
  const env = options.env ?? {};
  const child = spawn(process.execPath, [entry], {
    cwd: dir,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      ...env,
      NODE_PATH: [nodePath, env.NODE_PATH].filter(Boolean).join(process.platform === 'win32' ? ';' : ':'),
    },
  });
  const print = (text: string) => options.output.write(`${text}\n`);
  const state: RunState = { nextSession: 0 };
  const open = new Set<string>();
  const host = new LocalHost();
  let inputDone = false;
  let exited = false;

  const send = (message: HostMessage) => {
    if (!child.stdin.writable) return;
    child.stdin.write(encodeMessage(message));
  };
  const maybeStop = () => {
    if (inputDone && open.size === 0 && describeId === undefined && !exited) child.stdin.end();
  };

  const exit = new Promise<number>((resolveExit) => {
    child.on('error', (error) => {
      options.errors.write(`keel-plugin: could not start the plugin: ${error.message}\n`);
      resolveExit(1);
    });
    child.on('exit', (code, signal) => {
      exited = true;
      if (open.size > 0 || !inputDone) {
        options.errors.write(`keel-plugin: the plugin exited (${signal ?? `code ${code}`}) with requests unanswered\n`);
        resolveExit(1);
        return;
      }
      resolveExit(code === 0 ? 0 : 1);
    });
  });
  child.stdin.on('error', () => undefined);

  let described = () => undefined as void;
  let describeId: string | undefined = `run-${++state.nextSession}`;
  open.add(describeId);
  send({ session_id: describeId, event: 'request', data: { type: 'plugin', action: 'describe' } });

  readLines(child.stdout, Number.MAX_SAFE_INTEGER, {
    line: (line) => {
      if (!line.trim()) return;
      let message: PluginMessage;
      try {
        message = parsePluginMessage(line);
      } catch (error) {
        options.errors.write(
          `keel-plugin: the plugin wrote a line that is not a message (${(error as Error).message}): ${line}\n`,
        );
        return;
      }
      if (message.event === 'session' && message.session_id === describeId) {
        if (message.data.type === 'stream') state.description = message.data.data as PluginDescription;
        if (message.data.type === 'end' || message.data.type === 'error') {
          describeId = undefined;
          open.delete(message.session_id);
          if (!options.raw) print(describeSummary(state.description, message));
          described();
        }
        if (!options.raw) return;
      }
      if (options.raw) print(line);
      else {
        const text = formatMessage(message, options.verbose ?? false);
        if (text !== undefined) print(text);
      }
      if (message.event === 'session') {
        if (message.data.type === 'invoke') {
          const invocation = message.data.data;
          const answer = host.answer(invocation);
          const reply = (data: Record<string, unknown>) =>
            send({
              session_id: message.session_id,
              event: 'backwards_response',
              data: { backwards_request_id: invocation.backwards_request_id, ...data } as never,
            });
          if ('error' in answer) reply({ event: 'error', error_type: 'NotAvailable', message: answer.error });
          else {
            for (const response of answer.responses) reply({ event: 'response', data: response });
            reply({ event: 'end' });
          }
        } else if (message.data.type === 'end' || message.data.type === 'error') {
          open.delete(message.session_id);
          maybeStop();
        }
      }
    },
    oversize: () => undefined,
    end: () => undefined,
  });

  // Lines typed (or piped) before the plugin has described itself wait for it: shorthand
  // requests take their provider from the description.
  const waiting: string[] = [];
  const handleInput = (line: string) => {
    if (describeId !== undefined) {
      waiting.push(line);
      return;
    }
    if (exited) return;
    const command = line.trim();
    if (command === 'help' || command === '.help') {
      print(RUN_HELP);
      return;
    }
    try {
      const message = toHostMessage(line, state);
      if (!message) return;
      if (message.event === 'request') open.add(message.session_id);
      send(message);
    } catch (error) {
      options.errors.write(`keel-plugin: ${(error as Error).message}\n`);
    }
  };
  described = () => {
    for (const line of waiting.splice(0)) handleInput(line);
    maybeStop();
  };
  readLines(options.input, Number.MAX_SAFE_INTEGER, {
    line: handleInput,
    oversize: () => undefined,
    end: () => {
      inputDone = true;
      maybeStop();
    },
  });

  return exit;
}

function describeSummary(description: PluginDescription | undefined, last: PluginMessage): string {
  if (!description) {
    return `the plugin did not describe itself${last.event === 'session' && last.data.type === 'error' ? `: ${last.data.data.message}` : ''}`;
  }
  const parts: string[] = [];
  for (const provider of description.tools) {
    for (const tool of provider.tools) {
      parts.push(`tool ${provider.provider}/${tool.name}(${tool.parameters.map((p) => String(p.name)).join(', ')})`);
    }
  }
  for (const provider of description.models)
    parts.push(`model provider ${provider.provider}${provider.models ? ` [${provider.models.join(', ')}]` : ''}`);
  for (const endpoint of description.endpoints) parts.push(`endpoint ${endpoint.method} ${endpoint.path}`);
  return `plugin ready (SDK ${description.sdk_version}): ${parts.join('; ') || 'nothing registered'}. Type "help" for the request forms.`;
}
