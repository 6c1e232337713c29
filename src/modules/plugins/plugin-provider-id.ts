/** `author/plugin/provider` (Dify's id of a plugin's tool or model provider) → its plugin and provider, or undefined. */
export function splitProviderId(name: string): { pluginId: string; provider: string } | undefined {
  const [author, plugin, provider, extra] = name.split('/');
  if (!author || !plugin || !provider || extra !== undefined) return undefined;
  return { pluginId: `${author}/${plugin}`, provider };
}
