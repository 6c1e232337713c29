import { ToolProviderRegistry } from './tool-provider.registry';
import type { SharedToolProvider } from './tool-provider';

const provider = (type: SharedToolProvider['type'], name: string, tools: string[] = []): SharedToolProvider => ({
  type,
  name,
  author: 'a',
  label: { en_US: name },
  description: { en_US: name },
  icon: '',
  tags: [],
  tools: tools.map((tool) => ({
    name: tool,
    label: { en_US: tool },
    description: { human: { en_US: tool }, llm: tool },
    parameters: [],
    invoke: () => Promise.resolve([{ type: 'text' as const, text: tool }]),
  })),
});

describe('ToolProviderRegistry', () => {
  it('takes providers at run time, a new version replacing the old, and lets them go', () => {
    const registry = new ToolProviderRegistry();
    registry.register(provider('builtin', 'time', ['current_time']));
    registry.register(provider('plugin', 'acme/search', ['search']));
    expect(registry.list().map((p) => `${p.type}:${p.name}`)).toEqual(['builtin:time', 'plugin:acme/search']);

    registry.register(provider('plugin', 'acme/search', ['search', 'images']));
    expect(registry.get('plugin', 'acme/search')!.tools.map((t) => t.name)).toEqual(['search', 'images']);
    expect(registry.get('builtin', 'acme/search')).toBeUndefined();

    expect(registry.unregister('plugin', 'acme/search')).toBe(true);
    expect(registry.unregister('plugin', 'acme/search')).toBe(false);
    expect(registry.list().map((p) => p.name)).toEqual(['time']);
  });
});
