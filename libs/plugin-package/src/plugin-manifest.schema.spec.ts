import { stringify } from 'yaml';
import { manifestData, manifestText } from './package-fixtures.spec-support';
import { parseManifest } from './plugin-manifest.schema';
import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';

function refusal(data: Record<string, unknown> | string): PluginPackageError {
  try {
    parseManifest(typeof data === 'string' ? data : stringify(data));
  } catch (error) {
    if (error instanceof PluginPackageError) return error;
    throw error;
  }
  throw new Error('the manifest was accepted');
}

const withChanges = (change: (data: Record<string, any>) => void) => {
  const data = manifestData();
  change(data);
  return data;
};

describe('parseManifest', () => {
  it('returns the typed manifest, with defaults and ./ prefixes normalized', () => {
    const manifest = parseManifest(
      manifestText(
        withChanges((data) => {
          data.plugins = { tools: ['./provider/echo.yaml'] };
          data.meta.runner.version = 20;
          delete data.dependencies;
        }),
      ),
    );
    expect(manifest.author).toBe('acme');
    expect(manifest.label).toEqual({ en_US: 'Echo tools', zh_Hans: '回声' });
    expect(manifest.plugins).toEqual({ tools: ['provider/echo.yaml'], models: [], endpoints: [] });
    expect(manifest.meta.runner).toEqual({ language: 'nodejs', version: '20', entrypoint: 'main.js' });
    expect(manifest.dependencies).toEqual([]);
    expect(manifest.resource.memory).toBe(268435456);
  });

  it('names a missing field', () => {
    const error = refusal(withChanges((data) => delete data.name));
    expect(error.code).toBe(PluginPackageErrorCode.ManifestInvalid);
    expect(error.message).toBe('name: is required');
    expect(error.details.field).toBe('name');
  });

  it.each([
    ['1.0', 'version: must be a semantic version such as 1.2.3'],
    ['v1.0.0', 'version: must be a semantic version such as 1.2.3'],
    ['01.2.3', 'version: must be a semantic version such as 1.2.3'],
  ])('refuses the version %s', (version, message) => {
    expect(refusal(withChanges((data) => (data.version = version))).message).toBe(message);
  });

  it('refuses a Python runner and says Keel runs Node.js only', () => {
    const error = refusal(
      withChanges((data) => (data.meta.runner = { language: 'python', version: '3.12', entrypoint: 'main' })),
    );
    expect(error.details.field).toBe('meta.runner.language');
    expect(error.message).toMatch(/^meta\.runner\.language: must be "nodejs".*Python plugins are not supported/);
  });

  it('refuses a dependency whose version is not a semver range', () => {
    const error = refusal(withChanges((data) => (data.dependencies = [{ plugin: 'acme/base', version: 'latest!' }])));
    expect(error.message).toBe('dependencies[0].version: must be a semver range such as ^1.2.0');
    expect(error.details.field).toBe('dependencies[0].version');
  });

  it.each([
    ['resource.memory: must be a positive integer (bytes)', (d: any) => (d.resource.memory = -1)],
    ['resource.memory: must be a positive integer (bytes)', (d: any) => (d.resource.memory = '256Mi')],
    ['resource.timeout: must be a positive integer (seconds)', (d: any) => (d.resource.timeout = 1.5)],
    ['type: must be "plugin"', (d: any) => (d.type = 'extension')],
    ['author: must be 1-64 characters of a-z, 0-9, _ and -', (d: any) => (d.author = 'Acme')],
    ['name: must be 1-128 characters of a-z, 0-9, _ and -', (d: any) => (d.name = 'x'.repeat(129))],
    [
      'created_at: must be an RFC 3339 date-time such as 2025-01-31T12:00:00Z',
      (d: any) => (d.created_at = 'yesterday'),
    ],
    ['label.en_US: is required', (d: any) => (d.label = { zh_Hans: '回声' })],
    [
      'plugins.tools[0]: must be a path inside the package (the path has a "." or ".." segment)',
      (d: any) => (d.plugins = { tools: ['../outside.yaml'] }),
    ],
    ['plugins.tools[0]: must name a .yaml or .yml file', (d: any) => (d.plugins = { tools: ['provider/echo.json'] })],
    ['plugins: must declare at least one of tools, models, endpoints', (d: any) => (d.plugins = {})],
    [
      'plugins.agent_strategies: agent strategies are not supported by Keel; declare tools, models or endpoints',
      (d: any) => (d.plugins.agent_strategies = ['a.yaml']),
    ],
    [
      'dependencies[0].plugin: must be a plugin id author/name',
      (d: any) => (d.dependencies = [{ plugin: 'Base', version: '1' }]),
    ],
    [
      'meta.runner.entrypoint: must be a path inside the package (the path is absolute)',
      (d: any) => (d.meta.runner.entrypoint = '/abs/main.js'),
    ],
    ['plugins.tools: must be a list', (d: any) => (d.plugins.tools = 'provider/echo.yaml')],
  ])('%s', (message, change) => {
    expect(refusal(withChanges(change)).message).toBe(message);
  });

  it('refuses a model plugin that declares tools too (Dify rule)', () => {
    const error = refusal(withChanges((data) => (data.plugins.models = ['models/llm.yaml'])));
    expect(error.details.field).toBe('plugins.models');
  });

  it('lists every problem at once', () => {
    const error = refusal(
      withChanges((data) => {
        delete data.author;
        data.version = 'one';
      }),
    );
    expect(error.details.issues?.map((issue) => issue.field).sort()).toEqual(['author', 'version']);
    expect(error.message).toContain('; ');
  });

  it('refuses text that is not YAML, or not a mapping', () => {
    expect(refusal('name: [unclosed').message).toMatch(/^manifest\.yaml is not valid YAML/);
    expect(refusal('- a\n- b\n').message).toBe('manifest: must be a YAML mapping');
    expect(refusal('name: a\nname: b\n').code).toBe(PluginPackageErrorCode.ManifestInvalid);
  });
});
