import type { BuiltinProviderSource } from '../builtin-tool-provider';
import providerYaml from './http.provider.yaml';
import { httpRequest } from './http-request.tool';
import httpRequestYaml from './http-request.tool.yaml';
import icon from './icon.svg';

export const httpProvider: BuiltinProviderSource = {
  file: 'http/http.provider.yaml',
  yaml: providerYaml,
  icon: { file: 'icon.svg', svg: icon },
  tools: [{ name: 'http_request', file: 'http/http-request.tool.yaml', yaml: httpRequestYaml, implement: httpRequest }],
};
