import { z } from 'zod';
import type { PluginManifest } from '@keel/plugin-package';
import { readPluginYaml } from './plugin-yaml';

const i18n = z.object({ en_US: z.string().min(1) }).catchall(z.string());

/** An endpoint group's YAML (Dify's format): the settings a workspace gives, and its endpoints. */
const groupSchema = z.object({
  settings: z
    .array(
      z.object({
        name: z.string().min(1),
        type: z.string().default('text-input'),
        required: z.boolean().default(false),
        label: i18n.optional(),
        default: z.union([z.string(), z.number(), z.boolean()]).optional(),
      }),
    )
    .default([]),
  endpoints: z.array(z.string().min(1)).default([]),
});

const endpointSchema = z.object({ path: z.string().min(1), method: z.string().min(1) });

export interface PluginEndpointSetting {
  name: string;
  type: string;
  required: boolean;
  default?: string | number | boolean;
}

export interface PluginEndpointGroup {
  settings: PluginEndpointSetting[];
  endpoints: Array<{ path: string; method: string }>;
}

/** Every endpoint group a plugin declares (`plugins.endpoints`), read from its unpacked directory. */
export async function readPluginEndpointGroups(dir: string, manifest: PluginManifest): Promise<PluginEndpointGroup[]> {
  const groups: PluginEndpointGroup[] = [];
  for (const file of manifest.plugins.endpoints) {
    const group = await readPluginYaml(dir, file, groupSchema);
    const endpoints: PluginEndpointGroup['endpoints'] = [];
    for (const endpointFile of group.endpoints) {
      const endpoint = await readPluginYaml(dir, endpointFile, endpointSchema);
      endpoints.push({ path: endpoint.path, method: endpoint.method.toUpperCase() });
    }
    groups.push({
      settings: group.settings.map((s) => ({
        name: s.name,
        type: s.type,
        required: s.required,
        ...(s.default !== undefined && { default: s.default }),
      })),
      endpoints,
    });
  }
  return groups;
}
