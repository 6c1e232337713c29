import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PluginManifest, SourceFile } from '@keel/plugin-package';
import { parse as parseYaml } from 'yaml';
import { readLines } from '../line-reader';
import { encodeMessage, isRecord, parsePluginMessage, type PluginDescription } from '../protocol';
import { vendorRuntime } from './vendor';

/**
 * The YAML files are what Keel shows and tells the model; the code is what validates and runs.
 * `pack` compares the two (tool providers, tools and their parameters; model providers;
 * endpoints) and warns where they differ, so that a parameter added to one is not forgotten in
 * the other. The code's side comes from the plugin itself: its entrypoint is started, as `run`
 * starts it, and asked to `describe` what it registered.
 */

const DESCRIBE_TIMEOUT_MS = 15_000;

/** Ask the plugin what it registered. */
export async function describePlugin(
  dir: string,
  entrypoint: string,
  env: Record<string, string | undefined> = {},
): Promise<PluginDescription> {
  const scratch = await mkdtemp(join(tmpdir(), 'keel-plugin-describe-'));
  try {
    const nodeModules = join(scratch, 'node_modules');
    await vendorRuntime(nodeModules);
    return await new Promise<PluginDescription>((resolve, reject) => {
      const child = spawn(process.execPath, [join(dir, entrypoint)], {
        cwd: dir,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...env, NODE_PATH: nodeModules },
      });
      let stderr = '';
      let description: PluginDescription | undefined;
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`it did not answer within ${DESCRIBE_TIMEOUT_MS / 1000} s`));
      }, DESCRIBE_TIMEOUT_MS);
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (description) resolve(description);
        else
          reject(
            new Error(
              `it exited (code ${code}) without describing itself${stderr ? `: ${stderr.trim().split('\n')[0]}` : ''}`,
            ),
          );
      });
      readLines(child.stdout, Number.MAX_SAFE_INTEGER, {
        line: (line) => {
          try {
            const message = parsePluginMessage(line);
            if (message.event === 'session' && message.data.type === 'stream')
              description = message.data.data as PluginDescription;
          } catch {
            // Not ours to judge here: `run` shows such lines.
          }
        },
        oversize: () => undefined,
        end: () => undefined,
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(
        encodeMessage({ session_id: 'describe', event: 'request', data: { type: 'plugin', action: 'describe' } }),
      );
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

type Yaml = Record<string, unknown>;

function yamlOf(files: Map<string, Buffer>, path: string): Yaml | undefined {
  const bytes = files.get(path);
  if (!bytes) return undefined;
  try {
    const value: unknown = parseYaml(bytes.toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** `/a/<id>`, `/a/<int:id>` and `/a/:id` are the same endpoint path. */
const normalizePath = (path: string) => path.replace(/<(?:[a-z]+:)?([A-Za-z_][A-Za-z0-9_]*)>/g, ':$1');

const list = (names: Iterable<string>) => [...names].map((name) => `"${name}"`).join(', ');

function compareSets(what: string, inYaml: Set<string>, inCode: Set<string>, warnings: string[]): Set<string> {
  const missingInCode = [...inYaml].filter((name) => !inCode.has(name));
  const missingInYaml = [...inCode].filter((name) => !inYaml.has(name));
  if (missingInCode.length > 0)
    warnings.push(`${what} ${list(missingInCode)} declared in YAML but not registered by the code`);
  if (missingInYaml.length > 0)
    warnings.push(`${what} ${list(missingInYaml)} registered by the code but not declared in YAML`);
  return new Set([...inYaml].filter((name) => inCode.has(name)));
}

function compareParameters(
  tool: string,
  yamlParameters: unknown,
  codeParameters: Array<Record<string, unknown>>,
  warnings: string[],
): void {
  const inYaml = new Map<string, Yaml>();
  for (const parameter of Array.isArray(yamlParameters) ? yamlParameters : []) {
    if (isRecord(parameter) && typeof parameter.name === 'string') inYaml.set(parameter.name, parameter);
  }
  const inCode = new Map(codeParameters.map((parameter) => [String(parameter.name), parameter]));
  const both = compareSets(`tool "${tool}": parameter(s)`, new Set(inYaml.keys()), new Set(inCode.keys()), warnings);
  for (const name of both) {
    const yaml = inYaml.get(name)!;
    const code = inCode.get(name)!;
    const differs = (field: string, yamlValue: unknown, codeValue: unknown) => {
      if (JSON.stringify(yamlValue) !== JSON.stringify(codeValue)) {
        const show = (value: unknown) => (value === undefined ? 'not set' : JSON.stringify(value));
        warnings.push(
          `tool "${tool}", parameter "${name}": ${field} is ${show(yamlValue)} in YAML but ${show(codeValue)} in the code`,
        );
      }
    };
    differs('type', yaml.type, code.type);
    differs('required', yaml.required ?? false, code.required ?? false);
    differs('form', yaml.form ?? 'llm', code.form ?? 'llm');
    for (const field of ['default', 'min', 'max']) {
      if (yaml[field] !== undefined || code[field] !== undefined) differs(field, yaml[field], code[field]);
    }
    const options = (value: unknown) =>
      Array.isArray(value)
        ? value.map((option) => (isRecord(option) ? String(option.value) : String(option)))
        : undefined;
    if (yaml.type === 'select' || code.type === 'select')
      differs('options', options(yaml.options), options(code.options));
  }
}

/** Warnings where the YAML declarations and the code's registrations differ (none: they agree). */
export function compareDeclarations(
  manifest: PluginManifest,
  sources: readonly SourceFile[],
  code: PluginDescription,
): string[] {
  const files = new Map(sources.map((file) => [file.path, file.bytes]));
  const warnings: string[] = [];

  const yamlTools = new Map<string, Yaml>();
  const yamlProviders = new Map<string, Yaml>();
  for (const path of manifest.plugins.tools) {
    const provider = yamlOf(files, path);
    const identity = provider && isRecord(provider.identity) ? provider.identity : undefined;
    if (!provider || typeof identity?.name !== 'string') {
      warnings.push(`${path}: not a tool provider YAML with identity.name`);
      continue;
    }
    yamlProviders.set(identity.name, provider);
  }
  const codeProviders = new Map(code.tools.map((provider) => [provider.provider, provider]));
  for (const name of compareSets(
    'tool provider(s)',
    new Set(yamlProviders.keys()),
    new Set(codeProviders.keys()),
    warnings,
  )) {
    yamlTools.clear();
    for (const path of strings(yamlProviders.get(name)!.tools)) {
      const tool = yamlOf(files, path);
      const identity = tool && isRecord(tool.identity) ? tool.identity : undefined;
      if (!tool || typeof identity?.name !== 'string') warnings.push(`${path}: not a tool YAML with identity.name`);
      else yamlTools.set(identity.name, tool);
    }
    const codeTools = new Map(codeProviders.get(name)!.tools.map((tool) => [tool.name, tool]));
    for (const tool of compareSets(
      `provider "${name}": tool(s)`,
      new Set(yamlTools.keys()),
      new Set(codeTools.keys()),
      warnings,
    )) {
      compareParameters(tool, yamlTools.get(tool)!.parameters, codeTools.get(tool)!.parameters, warnings);
    }
  }

  const yamlModels = new Set<string>();
  for (const path of manifest.plugins.models) {
    const provider = yamlOf(files, path);
    if (typeof provider?.provider === 'string') yamlModels.add(provider.provider);
    else warnings.push(`${path}: not a model provider YAML with provider`);
  }
  compareSets('model provider(s)', yamlModels, new Set(code.models.map((model) => model.provider)), warnings);

  const yamlEndpoints = new Set<string>();
  for (const path of manifest.plugins.endpoints) {
    for (const endpointPath of strings(yamlOf(files, path)?.endpoints)) {
      const endpoint = yamlOf(files, endpointPath);
      if (typeof endpoint?.path === 'string' && typeof endpoint.method === 'string') {
        yamlEndpoints.add(`${endpoint.method.toUpperCase()} ${normalizePath(endpoint.path)}`);
      } else {
        warnings.push(`${endpointPath}: not an endpoint YAML with path and method`);
      }
    }
  }
  compareSets(
    'endpoint(s)',
    yamlEndpoints,
    new Set(code.endpoints.map((endpoint) => `${endpoint.method} ${normalizePath(endpoint.path)}`)),
    warnings,
  );
  return warnings;
}
