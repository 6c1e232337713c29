import type { BuiltinProviderSource } from '../builtin-tool-provider';
import icon from './icon.svg';
import providerYaml from './json-process.provider.yaml';
import { jsonProcess } from './json-process.tool';
import jsonProcessYaml from './json-process.tool.yaml';

export const jsonProcessProvider: BuiltinProviderSource = {
  file: 'json-process/json-process.provider.yaml',
  yaml: providerYaml,
  icon: { file: 'icon.svg', svg: icon },
  tools: [
    {
      name: 'json_process',
      file: 'json-process/json-process.tool.yaml',
      yaml: jsonProcessYaml,
      implement: jsonProcess,
    },
  ],
};
