import semver from 'semver';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { normalizeManifestPath, unsafePathReason } from './package-path';
import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';

/*
 * `manifest.yaml`, in Dify's format (dify-plugin-daemon's PluginDeclaration) with Keel's runner:
 * Node.js only. Keys this schema does not know are ignored, as Dify's daemon ignores them; the
 * plugin kinds Keel cannot run (agent strategies, data sources, triggers) are refused by name.
 */

const AUTHOR = /^[a-z0-9_-]{1,64}$/;
const NAME = /^[a-z0-9_-]{1,128}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const NODE_VERSION = /^\d+(\.\d+){0,2}$/;

/** Strict semver (`1.2.3`, `1.0.0-beta.1`): no `v` prefix, no loose forms. */
const semverString = z.string().refine((v) => semver.valid(v) === v, {
  error: 'must be a semantic version such as 1.2.3',
});

const i18nText = z.object({ en_US: z.string().min(1, { error: 'must not be empty' }) }).catchall(z.string());

const positiveInteger = (unit: string) =>
  z
    .number({ error: (issue) => (issue.input === undefined ? 'is required' : `must be a positive integer (${unit})`) })
    .int({ error: `must be a positive integer (${unit})` })
    .positive({ error: `must be a positive integer (${unit})` });

/** A file inside the package, as the manifest names it; `./` prefixes are dropped. */
const packagePath = z
  .string()
  .transform(normalizeManifestPath)
  .refine((path) => unsafePathReason(path) === null, {
    error: (issue) => `must be a path inside the package (${unsafePathReason(String(issue.input))})`,
  });

const yamlPath = packagePath.refine((path) => /\.ya?ml$/.test(path), { error: 'must name a .yaml or .yml file' });

const unsupportedKind = (kind: string) =>
  z
    .array(z.unknown())
    .max(0, { error: `${kind} are not supported by Keel; declare tools, models or endpoints` })
    .optional();

const flag = z.boolean().optional();
const enabled = z.object({ enabled: flag });

const permission = z.object({
  tool: enabled.optional(),
  model: z
    .object({
      enabled: flag,
      llm: flag,
      text_embedding: flag,
      rerank: flag,
      tts: flag,
      speech2text: flag,
      moderation: flag,
    })
    .optional(),
  endpoint: enabled.optional(),
  app: enabled.optional(),
  storage: z.object({ enabled: flag, size: positiveInteger('bytes').optional() }).optional(),
});

const resource = z.object({
  memory: positiveInteger('bytes'),
  timeout: positiveInteger('seconds').optional(),
  max_concurrent_requests: positiveInteger('requests').optional(),
  permission: permission.optional(),
});

const plugins = z
  .object({
    tools: z.array(yamlPath).default([]),
    models: z.array(yamlPath).default([]),
    endpoints: z.array(yamlPath).default([]),
    agent_strategies: unsupportedKind('agent strategies'),
    datasources: unsupportedKind('data sources'),
    triggers: unsupportedKind('triggers'),
  })
  .superRefine((value, ctx) => {
    if (value.tools.length + value.models.length + value.endpoints.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'must declare at least one of tools, models, endpoints' });
    }
    if (value.models.length > 0 && value.tools.length + value.endpoints.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['models'],
        message: 'a model plugin declares nothing else (Dify rule): move the tools or endpoints to another plugin',
      });
    }
  })
  .transform(({ tools, models, endpoints }) => ({ tools, models, endpoints }));

const runner = z.object({
  language: z.string().refine((language) => language === 'nodejs', {
    error: 'must be "nodejs": Keel runs Node.js plugins only; Dify\'s Python plugins are not supported',
  }),
  version: z
    .union([z.string(), z.number()], { error: 'must be a Node.js version such as "20" or "20.11"' })
    .transform(String)
    .refine((version) => NODE_VERSION.test(version), { error: 'must be a Node.js version such as "20" or "20.11"' }),
  entrypoint: packagePath,
});

const meta = z.object({
  version: semverString,
  arch: z.array(z.enum(['amd64', 'arm64'])).optional(),
  runner,
  minimum_keel_version: semverString.optional(),
  /** Written by Dify's tooling; Keel does not read it. */
  minimum_dify_version: z.string().optional(),
});

const dependency = z.object({
  plugin: z.string().regex(/^[a-z0-9_-]{1,64}\/[a-z0-9_-]{1,128}$/, { error: 'must be a plugin id author/name' }),
  version: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a semver range such as ^1.2.0') })
    .refine((range) => semver.validRange(range) !== null, { error: 'must be a semver range such as ^1.2.0' }),
});

export const pluginManifestSchema = z.object({
  version: semverString,
  type: z.literal('plugin', { error: 'must be "plugin"' }),
  author: z.string().regex(AUTHOR, { error: 'must be 1-64 characters of a-z, 0-9, _ and -' }),
  name: z.string().regex(NAME, { error: 'must be 1-128 characters of a-z, 0-9, _ and -' }),
  label: i18nText,
  description: i18nText,
  icon: packagePath,
  icon_dark: packagePath.optional(),
  resource,
  plugins,
  meta,
  dependencies: z.array(dependency).default([]),
  created_at: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be an RFC 3339 date-time') })
    .refine((value) => RFC3339.test(value) && Number.isFinite(Date.parse(value)), {
      error: 'must be an RFC 3339 date-time such as 2025-01-31T12:00:00Z',
    }),
  privacy: packagePath.optional(),
  repo: z.string().optional(),
  tags: z.array(z.string()).optional(),
});

export type PluginManifest = z.output<typeof pluginManifestSchema>;

/** "plugins.tools[0]" for ['plugins', 'tools', 0]. */
function fieldName(path: readonly PropertyKey[]): string {
  let name = '';
  for (const key of path) name += typeof key === 'number' ? `[${key}]` : `${name ? '.' : ''}${String(key)}`;
  return name || 'manifest';
}

/** Messages for type mismatches that no field-specific message covers. */
const defaultMessages: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return 'is required';
  return issue.expected === 'array' ? 'must be a list' : `must be a ${issue.expected}`;
};

/** The manifest as already-parsed data (JSON, or YAML parsed elsewhere) → typed, or `manifest_invalid` naming every field at fault. */
export function validateManifest(data: unknown): PluginManifest {
  const result = pluginManifestSchema.safeParse(data, { error: defaultMessages });
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ field: fieldName(issue.path), message: issue.message }));
  throw new PluginPackageError(
    PluginPackageErrorCode.ManifestInvalid,
    issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '),
    { field: issues[0]?.field, issues },
  );
}

/** `manifest.yaml`'s text → typed manifest, or `manifest_invalid` (bad YAML, or the fields at fault). */
export function parseManifest(text: string): PluginManifest {
  let data: unknown;
  try {
    // The core schema (no YAML 1.1 timestamps or octals); aliases capped against "billion laughs".
    data = parseYaml(text, { schema: 'core', uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PluginPackageError(PluginPackageErrorCode.ManifestInvalid, `manifest.yaml is not valid YAML: ${reason}`, {
      field: 'manifest',
    });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new PluginPackageError(PluginPackageErrorCode.ManifestInvalid, 'manifest: must be a YAML mapping', {
      field: 'manifest',
    });
  }
  return validateManifest(data);
}
