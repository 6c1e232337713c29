import type { BuiltinProviderSource } from '../builtin-tool-provider';
import icon from './icon.svg';
import { webpageToText } from './webpage-to-text.tool';
import webpageToTextYaml from './webpage-to-text.tool.yaml';
import providerYaml from './webscraper.provider.yaml';

export const webscraperProvider: BuiltinProviderSource = {
  file: 'webscraper/webscraper.provider.yaml',
  yaml: providerYaml,
  icon: { file: 'icon.svg', svg: icon },
  tools: [
    {
      name: 'webpage_to_text',
      file: 'webscraper/webpage-to-text.tool.yaml',
      yaml: webpageToTextYaml,
      implement: webpageToText,
    },
  ],
};
