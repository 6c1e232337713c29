import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { z } from 'zod';
import type { PluginManifest } from '@keel/plugin-package';
import { readPluginYaml } from './plugin-yaml';
import { BuiltinDefinitionError, parseToolDefinition } from '../tools/builtin/builtin-loader';
import { providerDefinitionSchema, type ToolDefinition } from '../tools/builtin/builtin-definition.schema';
import type { I18nText } from '../tools/tool.types';

/** A plugin's provider YAML: a built-in provider's fields plus the paths of its tools' YAML (Dify's format). */
const pluginProviderSchema = z.object({
  identity: z.object({
    author: z.string().min(1),
    name: z.string().regex(/^[a-z0-9_-]{1,128}$/, 'must be 1-128 characters of a-z, 0-9, _ and -'),
    label: z.object({ en_US: z.string().min(1) }).catchall(z.string()),
    description: z.object({ en_US: z.string().min(1) }).catchall(z.string()),
    icon: z.string().min(1),
    tags: z.array(z.string()).default([]),
  }),
  credentials_for_provider: providerDefinitionSchema.shape.credentials_for_provider,
  tools: z.array(z.string().min(1)).min(1, 'must list at least one tool YAML file'),
});

export interface PluginToolProviderDefinition {
  /** The provider's own name (its YAML's `identity.name`). */
  name: string;
  author: string;
  label: I18nText;
  description: I18nText;
  tags: string[];
  /** The icon as a data URL (small SVG/PNG icons), or '' when there is none Keel can inline. */
  icon: string;
  /** `credentials_for_provider`, in order. */
  credentialFields: Array<{ name: string; type: string; required: boolean }>;
  tools: ToolDefinition[];
}

const ICON_TYPES: Record<string, string> = { '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg' };
const MAX_INLINE_ICON = 64 * 1024;

/**
 * The tool providers an unpacked plugin declares (`plugins.tools` in its manifest), read from its
 * directory; a file that does not hold is an error naming it and the field.
 */
export async function readPluginToolProviders(
  dir: string,
  manifest: PluginManifest,
): Promise<PluginToolProviderDefinition[]> {
  const providers: PluginToolProviderDefinition[] = [];
  for (const file of manifest.plugins.tools) {
    const definition = await readPluginYaml(dir, file, pluginProviderSchema);
    const base = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
    const tools: ToolDefinition[] = [];
    for (const toolFile of definition.tools) {
      // Dify resolves tool files against the plugin root; a path beside the provider file works too.
      const candidates = [toolFile, base ? `${base}/${toolFile}` : toolFile];
      let text: string | undefined;
      for (const candidate of candidates) {
        text = await readFile(join(dir, candidate), 'utf8').catch(() => undefined);
        if (text !== undefined) break;
      }
      if (text === undefined) throw new BuiltinDefinitionError(`${file}: tools: ${toolFile} is not in the package`);
      tools.push(parseToolDefinition(toolFile, text));
    }
    providers.push({
      name: definition.identity.name,
      author: definition.identity.author,
      label: definition.identity.label,
      description: definition.identity.description,
      tags: definition.identity.tags,
      icon: await inlineIcon(dir, definition.identity.icon || manifest.icon),
      credentialFields: Object.entries(definition.credentials_for_provider ?? {}).map(([name, field]) => ({
        name,
        type: field.type,
        required: field.required,
      })),
      tools,
    });
  }
  return providers;
}

async function inlineIcon(dir: string, file: string): Promise<string> {
  const type = ICON_TYPES[extname(file).toLowerCase()];
  if (!type) return '';
  const bytes = await readFile(join(dir, file)).catch(() => undefined);
  if (!bytes || bytes.length > MAX_INLINE_ICON) return '';
  return `data:${type};base64,${bytes.toString('base64')}`;
}
