import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packFiles, readPackage } from '@keel/plugin-package';
import { pluginFiles } from '../../../libs/plugin-package/src/package-fixtures.spec-support';
import type { AppConfig } from '../../config/app-config';
import { PluginFilesService } from './plugin-files.service';
import type { PluginVersion } from './plugin-version.entity';

describe('PluginFilesService', () => {
  let workingDir: string;
  let files: PluginFilesService;

  beforeEach(() => {
    workingDir = mkdtempSync(join(tmpdir(), 'keel-plugin-files-'));
    files = new PluginFilesService({ plugins: { workingDir } } as unknown as AppConfig);
  });
  afterEach(() => rmSync(workingDir, { recursive: true, force: true }));

  async function fixture() {
    const pkg = await readPackage(await packFiles(pluginFiles()));
    const version = {
      pluginId: pkg.pluginId,
      version: pkg.manifest.version,
      checksum: pkg.checksum,
      uniqueIdentifier: pkg.uniqueIdentifier,
    } as PluginVersion;
    return { pkg, version };
  }

  it('unpacks a version once into <author>/<name>/<version>@<checksum>, leaving no staging copy', async () => {
    const { pkg, version } = await fixture();
    const dir = await files.ensureUnpacked(version, pkg);
    expect(dir).toBe(join(workingDir, ...pkg.pluginId.split('/'), `${pkg.manifest.version}@${pkg.checksum}`));
    expect(readFileSync(join(dir, 'main.js'), 'utf8')).toContain('hello');
    expect(await files.isUnpacked(version)).toBe(true);
    writeFileSync(join(dir, 'main.js'), 'changed by the test');
    await files.ensureUnpacked(version, pkg);
    expect(readFileSync(join(dir, 'main.js'), 'utf8')).toBe('changed by the test'); // not unpacked twice
    expect(readdirSync(join(workingDir, '.staging'))).toEqual([]);
  });

  it('lets concurrent unpacks of one version end with one complete copy', async () => {
    const { pkg, version } = await fixture();
    const dirs = await Promise.all([1, 2, 3, 4].map(() => files.ensureUnpacked(version, pkg)));
    expect(new Set(dirs).size).toBe(1);
    expect(readdirSync(dirs[0]).sort()).toEqual(expect.arrayContaining(['manifest.yaml', 'main.js', '.keel-unpacked']));
    expect(readdirSync(join(workingDir, '.staging'))).toEqual([]);
  });

  it('replaces an interrupted unpack (no marker) and removes a version', async () => {
    const { pkg, version } = await fixture();
    const target = files.directoryOf(version);
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'half-written.js'), '');
    expect(await files.isUnpacked(version)).toBe(false);
    await files.ensureUnpacked(version, pkg);
    expect(existsSync(join(target, 'half-written.js'))).toBe(false);
    expect(existsSync(join(target, 'main.js'))).toBe(true);
    await files.remove(version);
    expect(existsSync(target)).toBe(false);
  });
});
