import { LoopbackHttp } from '../../../../test/support/loopback-http';
import { ToolError } from '../tool.types';
import {
  BuiltinDefinitionError,
  loadBuiltinProvider,
  parseProviderDefinition,
  parseToolDefinition,
} from './builtin-loader';
import { builtinToolProviders, BUILTIN_PROVIDER_SOURCES } from './builtin-tool-providers';
import type { BuiltinProviderSource } from './builtin-tool-provider';
import { closedPort } from './loopback-server.spec-support';
import currentTimeYaml from './time/current-time.tool.yaml';

const deps = { http: new LoopbackHttp(), now: () => new Date(0) };
const context = { workspaceId: 'ws-1' };

describe('built-in provider definitions', () => {
  it('loads every shipped provider and tool from its YAML', () => {
    const providers = builtinToolProviders(new LoopbackHttp());
    expect(providers.map((p) => [p.name, p.tools.map((t) => t.name)])).toEqual([
      ['time', ['current_time']],
      ['http', ['http_request']],
      ['webscraper', ['webpage_to_text']],
      ['json_process', ['json_process']],
    ]);
    for (const provider of providers) {
      expect(provider.identity).toMatchObject({ author: 'Keel', name: provider.name, icon: 'icon.svg' });
      expect(provider.identity.label.en_US).toBeTruthy();
      expect(provider.identity.label.zh_Hans).toBeTruthy();
      expect(provider.identity.description.en_US).toBeTruthy();
      expect(provider.identity.tags.length).toBeGreaterThan(0);
      expect(provider.icon).toMatchObject({ fileName: 'icon.svg', mimeType: 'image/svg+xml' });
      expect(provider.icon.content).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(provider.credentialsSchema).toEqual([]);
      for (const tool of provider.tools) {
        expect(tool.description.llm).toBeTruthy();
        expect(tool.description.human.en_US).toBeTruthy();
        for (const parameter of tool.parameters) {
          if (parameter.form === 'llm') expect(parameter.llm_description).toBeTruthy();
        }
      }
    }
  });

  it('gives each tool the parameters its YAML declares', () => {
    const tools = builtinToolProviders(new LoopbackHttp()).flatMap((p) => p.tools);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.current_time.parameters.map((p) => [p.name, p.type, p.form, p.default])).toEqual([
      ['timezone', 'string', 'llm', 'UTC'],
      ['format', 'string', 'llm', '%Y-%m-%d %H:%M:%S %Z'],
    ]);
    const method = byName.http_request.parameters[0];
    expect(method).toMatchObject({ name: 'method', type: 'select', required: false, default: 'GET' });
    expect(method.options?.map((o) => o.value)).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
    expect(byName.http_request.parameters.find((p) => p.name === 'url')).toMatchObject({ required: true, form: 'llm' });
    expect(byName.webpage_to_text.parameters.map((p) => p.name)).toEqual(['url', 'user_agent']);
    expect(byName.json_process.parameters.map((p) => [p.name, p.required])).toEqual([
      ['content', true],
      ['query', true],
    ]);
  });

  it('rejects a tool whose field is wrong, naming the file and the field', () => {
    const broken = currentTimeYaml.replace('form: llm\n    default: UTC', 'form: chat\n    default: UTC');
    expect(() => parseToolDefinition('time/current-time.tool.yaml', broken)).toThrow(BuiltinDefinitionError);
    expect(() => parseToolDefinition('time/current-time.tool.yaml', broken)).toThrow(
      /^time\/current-time\.tool\.yaml: parameters\[0\] \(timezone\)\.form: Invalid option: expected one of "schema"\|"form"\|"llm"$/,
    );
  });

  it('rejects a missing field, a misspelt key and a select without options', () => {
    const noLlm = currentTimeYaml.replace(/ {2}llm: >-\n(.*\n){2}/, '');
    expect(() => parseToolDefinition('t.yaml', noLlm)).toThrow(
      /^t\.yaml: description\.llm: Invalid input: expected string, received undefined$/,
    );

    const misspelt = currentTimeYaml.replace('llm_description: IANA', 'llm_desciption: IANA');
    expect(() => parseToolDefinition('t.yaml', misspelt)).toThrow(
      /parameters\[0\] \(timezone\): Unrecognized key: "llm_desciption"/,
    );
    expect(() => parseToolDefinition('t.yaml', misspelt)).toThrow(
      /parameters\[0\] \(timezone\)\.llm_description: required for a parameter the model fills/,
    );

    const select = currentTimeYaml.replace(
      'type: string\n    required: false\n    label:\n      en_US: Timezone',
      'type: select\n    required: false\n    label:\n      en_US: Timezone',
    );
    expect(() => parseToolDefinition('t.yaml', select)).toThrow(
      /parameters\[0\] \(timezone\)\.options: a select parameter needs at least one option/,
    );
  });

  it('rejects YAML that does not parse, naming the file', () => {
    expect(() => parseToolDefinition('bad.tool.yaml', 'identity:\n  name: [unclosed\n')).toThrow(
      /^bad\.tool\.yaml: not valid YAML: /,
    );
    expect(() => parseToolDefinition('dup.tool.yaml', 'identity: {}\nidentity: {}\n')).toThrow(
      /^dup\.tool\.yaml: not valid YAML: .*unique/i,
    );
  });

  it('rejects a provider with an unknown tag or a non-SVG icon name', () => {
    const yaml = BUILTIN_PROVIDER_SOURCES[0].yaml;
    expect(() => parseProviderDefinition('p.yaml', yaml.replace('- utilities', '- gadgets'))).toThrow(
      /^p\.yaml: identity\.tags\[0\]: Invalid option/,
    );
    expect(() => parseProviderDefinition('p.yaml', yaml.replace('icon: icon.svg', 'icon: icon.png'))).toThrow(
      /^p\.yaml: identity\.icon: must name an SVG file/,
    );
  });

  it('rejects a tool YAML bound to the wrong code', () => {
    const time = BUILTIN_PROVIDER_SOURCES[0];
    const swapped: BuiltinProviderSource = { ...time, tools: [{ ...time.tools[0], name: 'http_request' }] };
    expect(() => loadBuiltinProvider(swapped, deps)).toThrow(
      'time/current-time.tool.yaml: identity.name: "current_time" does not match the tool it is bound to ("http_request")',
    );
  });

  it('reads credentials_for_provider into a credentials schema', () => {
    const time = BUILTIN_PROVIDER_SOURCES[0];
    const withKey = time.yaml.replace(
      'credentials_for_provider: {}',
      'credentials_for_provider:\n  api_key:\n    type: secret-input\n    required: true\n    label:\n      en_US: API key\n',
    );
    const provider = loadBuiltinProvider({ ...time, yaml: withKey }, deps);
    expect(provider.credentialsSchema).toEqual([
      { name: 'api_key', type: 'secret-input', required: true, label: { en_US: 'API key' } },
    ]);
  });
});

describe('arguments of a bound tool', () => {
  const tools = Object.fromEntries(
    builtinToolProviders(new LoopbackHttp(), { now: () => new Date(0) })
      .flatMap((p) => p.tools)
      .map((t) => [t.name, t]),
  );

  it('fills defaults for missing, null or empty arguments', async () => {
    await expect(tools.current_time.invoke({}, context)).resolves.toEqual([
      { type: 'text', text: '1970-01-01 00:00:00 UTC' },
    ]);
    await expect(tools.current_time.invoke({ timezone: null, format: '' }, context)).resolves.toEqual([
      { type: 'text', text: '1970-01-01 00:00:00 UTC' },
    ]);
  });

  it('reports a missing required argument as a ToolError naming it', async () => {
    await expect(tools.json_process.invoke({ content: '{}' }, context)).rejects.toThrow(
      'json_process: the parameter "query" is required',
    );
    await expect(tools.json_process.invoke({ content: '{}' }, context)).rejects.toBeInstanceOf(ToolError);
  });

  it('matches a select option regardless of case and refuses other values', async () => {
    const http = new LoopbackHttp();
    const [httpTool] = builtinToolProviders(http).find((p) => p.name === 'http')!.tools;
    // Nothing listens on the port: the call fails after the method was accepted.
    const url = `http://127.0.0.1:${await closedPort()}/`;
    await expect(httpTool.invoke({ method: 'post', url }, context)).rejects.toThrow(ToolError);
    expect(http.requests[0].method).toBe('POST');
    await expect(httpTool.invoke({ method: 'TRACE', url }, context)).rejects.toThrow(
      'http_request: the parameter "method" must be one of GET, POST, PUT, PATCH, DELETE, HEAD, got "TRACE"',
    );
  });
});
