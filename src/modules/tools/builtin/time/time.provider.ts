import type { BuiltinProviderSource } from '../builtin-tool-provider';
import { currentTime } from './current-time.tool';
import currentTimeYaml from './current-time.tool.yaml';
import icon from './icon.svg';
import providerYaml from './time.provider.yaml';

export const timeProvider: BuiltinProviderSource = {
  file: 'time/time.provider.yaml',
  yaml: providerYaml,
  icon: { file: 'icon.svg', svg: icon },
  tools: [{ name: 'current_time', file: 'time/current-time.tool.yaml', yaml: currentTimeYaml, implement: currentTime }],
};
