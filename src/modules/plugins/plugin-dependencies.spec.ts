import { dependentsOf, installOrder, unmetDependencies } from './plugin-dependencies';

const manifest = (...dependencies: [string, string][]) => ({
  dependencies: dependencies.map(([plugin, version]) => ({ plugin, version })),
});

describe('plugin dependencies', () => {
  it('accepts satisfied ranges and names each unmet one', () => {
    const available = new Map([
      ['acme/base', '1.4.2'],
      ['acme/old', '0.9.0'],
      ['acme/beta', '2.0.0-rc.1'],
    ]);
    expect(unmetDependencies(manifest(['acme/base', '^1.2.0'], ['acme/beta', '>=2.0.0-rc.0']), available)).toEqual([]);
    expect(
      unmetDependencies(manifest(['acme/old', '^1.0.0'], ['acme/none', '*'], ['acme/base', '~1.4.0']), available),
    ).toEqual(['acme/old ^1.0.0 is needed but 0.9.0 is installed', 'acme/none * is not installed']);
    expect(unmetDependencies(manifest(), available)).toEqual([]);
  });

  it('installs a batch dependencies first, keeping the given order otherwise', () => {
    const item = (pluginId: string, ...deps: string[]) => ({
      pluginId,
      manifest: manifest(...deps.map((d): [string, string] => [d, '*'])),
    });
    const order = installOrder([item('a/top', 'a/mid'), item('a/other'), item('a/mid', 'a/base'), item('a/base')]);
    expect(order.map((i) => i.pluginId)).toEqual(['a/other', 'a/base', 'a/mid', 'a/top']);
    const cycle = installOrder([item('a/x', 'a/y'), item('a/y', 'a/x')]);
    expect(cycle.map((i) => i.pluginId)).toEqual(['a/x', 'a/y']);
  });

  it('finds the installed plugins that depend on one', () => {
    const installed = [
      { pluginId: 'a/base', manifest: manifest() },
      { pluginId: 'a/top', manifest: manifest(['a/base', '^1.0.0']) },
      { pluginId: 'a/side', manifest: manifest(['a/other', '*']) },
    ];
    expect(dependentsOf('a/base', installed)).toEqual(['a/top']);
    expect(dependentsOf('a/top', installed)).toEqual([]);
  });
});
