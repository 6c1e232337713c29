import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { packDirectory, readPackage, replaceZipComment, signPackage } from '@keel/plugin-package';
import { StorageService } from '@keel/storage';
import { craftZip, deflateBomb, manifestText } from '../../libs/plugin-package/src/package-fixtures.spec-support';
import { ensureSdkBuilt } from '../../libs/plugin-sdk/src/cli/sdk-build.spec-support';
import { AuditLog } from '../../src/modules/audit/audit-log.entity';
import { PluginInstallTask } from '../../src/modules/plugins/plugin-install-task.entity';
import { PluginInstallation } from '../../src/modules/plugins/plugin-installation.entity';
import { PluginVersion } from '../../src/modules/plugins/plugin-version.entity';
import { addMember, bearer, type Session, seedWorkspace, login, setupOwner } from '../support/console';
import { eventually } from '../support/eventually';
import { keelPlugin } from '../support/keel-plugin-cli';
import { bootTestApp, type TestApp } from '../support/test-app';

/**
 * Issue 12's acceptance: a plugin made with the `keel-plugin` CLI (init → keygen → pack → sign),
 * uploaded, installed through the queue and listed, with forced verification and the author's key
 * trusted; then every refusal, each with its code and nothing written (no version row, no stored
 * package, nothing unpacked); dependencies, per-workspace installations of one shared version,
 * enable/disable, uninstall, permissions and the audit trail.
 */
describe('Plugin lifecycle through the console', () => {
  let work: string;
  let t: TestApp;
  let owner: Session;
  let signed: Buffer;
  let privatePem: string;

  const post = (session: Session, path: string, body: unknown) =>
    request(t.baseUrl)
      .post(`/console/api/workspaces/current/plugin/${path}`)
      .set(bearer(session.access))
      .send(body as object);
  const get = (session: Session, path: string) =>
    request(t.baseUrl).get(`/console/api/workspaces/current/plugin/${path}`).set(bearer(session.access));
  const upload = (session: Session, pkg: Buffer, field = 'pkg') =>
    request(t.baseUrl)
      .post('/console/api/workspaces/current/plugin/upload/pkg')
      .set(bearer(session.access))
      .attach(field, pkg, 'plugin.keelpkg');

  /** Installs and waits for the task; returns it. */
  async function install(session: Session, identifiers: string[]) {
    const started = await post(session, 'install/pkg', { plugin_unique_identifiers: identifiers }).expect(200);
    expect(started.body.all_installed).toBe(false);
    let task: Record<string, any> = {};
    await eventually(async () => {
      task = (await get(session, `tasks/${started.body.task_id}`).expect(200)).body.task;
      return task.status === 'success' || task.status === 'failed';
    }, 'install task finished');
    return task;
  }

  /** A copy of the `init` skeleton with its manifest edited, packed and signed with the trusted key. */
  async function variant(name: string, edit: (manifest: string) => string): Promise<Buffer> {
    const dir = join(work, name);
    cpSync(join(work, 'notes'), dir, { recursive: true });
    const manifest = join(dir, 'manifest.yaml');
    writeFileSync(manifest, edit(readFileSync(manifest, 'utf8')));
    return signPackage(await packDirectory(dir), privatePem);
  }

  const versionRows = () => t.app.get(DataSource).getRepository(PluginVersion).count();
  const storedPackages = async () => (await t.app.get(StorageService).list('plugin_packages/')).items.length;
  const workingDirEntries = () =>
    existsSync(t.config.plugins.workingDir) ? readdirSync(t.config.plugins.workingDir, { recursive: true }).length : 0;

  /** Uploads `pkg` and expects a refusal with `status` and `code` that leaves nothing behind. */
  async function expectRefused(pkg: Buffer, status: number, code: string, message?: RegExp) {
    const before = { rows: await versionRows(), stored: await storedPackages(), unpacked: workingDirEntries() };
    const res = await upload(owner, pkg).expect(status);
    expect(res.body.code).toBe(code);
    if (message) expect(res.body.message).toMatch(message);
    expect({ rows: await versionRows(), stored: await storedPackages(), unpacked: workingDirEntries() }).toEqual(
      before,
    );
    return res.body as { code: string; message: string };
  }

  beforeAll(async () => {
    await ensureSdkBuilt();
    work = mkdtempSync(join(tmpdir(), 'keel-plugins-e2e-'));
    await keelPlugin(work, 'init', 'notes', '--author', 'acme');
    await keelPlugin(work, 'keygen');
    await keelPlugin(work, 'pack', 'notes', '-o', 'notes.keelpkg');
    await keelPlugin(work, 'sign', 'notes.keelpkg', '--key', 'private.pem');
    signed = readFileSync(join(work, 'notes.keelpkg'));
    privatePem = readFileSync(join(work, 'private.pem'), 'utf8');
    // Only the public key is trusted (a private key in the directory is a boot error).
    mkdirSync(join(work, 'trusted'));
    copyFileSync(join(work, 'public.pem'), join(work, 'trusted', 'author.pem'));

    t = await bootTestApp({
      PLUGIN_FORCE_VERIFY_SIGNATURE: 'true',
      PLUGIN_TRUSTED_KEYS_DIR: join(work, 'trusted'),
      PLUGIN_MAX_PACKAGE_SIZE: '2mb',
      PLUGIN_MAX_UNPACKED_BYTES: '32mb',
    });
    owner = await setupOwner(t);
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('init → keygen → pack → sign → upload → install → list, verified by the trusted key', async () => {
    const uploaded = await upload(owner, signed).expect(200);
    const identity = await readPackage(signed);
    expect(uploaded.body.unique_identifier).toBe(identity.uniqueIdentifier);
    expect(uploaded.body.unique_identifier).toMatch(/^acme\/notes:0\.0\.1@[0-9a-f]{64}$/);
    expect(uploaded.body.manifest).toMatchObject({ author: 'acme', name: 'notes', version: '0.0.1', category: 'tool' });
    expect(uploaded.body.verification).toMatchObject({ status: 'verified', algorithm: 'ed25519' });
    expect(uploaded.body.verification.key_fingerprint).toBe(t.config.plugins.trustedKeys[0].fingerprint);

    const manifest = await get(
      owner,
      `fetch-manifest?plugin_unique_identifier=${uploaded.body.unique_identifier}`,
    ).expect(200);
    expect(manifest.body.manifest.plugins.tools).toHaveLength(1);

    const task = await install(owner, [uploaded.body.unique_identifier]);
    expect(task).toMatchObject({
      status: 'success',
      total_plugins: 1,
      completed_plugins: 1,
      plugins: [
        {
          plugin_unique_identifier: uploaded.body.unique_identifier,
          plugin_id: 'acme/notes',
          status: 'success',
          message: '',
        },
      ],
    });

    const list = await get(owner, 'list').expect(200);
    expect(list.body.total).toBe(1);
    expect(list.body.plugins[0]).toMatchObject({
      plugin_id: 'acme/notes',
      plugin_unique_identifier: uploaded.body.unique_identifier,
      version: '0.0.1',
      enabled: true,
      source: 'package',
      verification: { status: 'verified' },
      declaration: { name: 'notes', category: 'tool' },
    });
    expect(list.body.plugins[0].installation_id).toBe(list.body.plugins[0].id);

    // Unpacked once on this machine, with the SDK runtime `pack` vendored.
    const dir = join(t.config.plugins.workingDir, 'acme', 'notes', `0.0.1@${identity.checksum}`);
    expect(existsSync(join(dir, 'manifest.yaml'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules', '@keel', 'plugin-sdk', 'package.json'))).toBe(true);

    // Installing again is nothing to do; the task list shows the one task.
    const again = await post(owner, 'install/pkg', {
      plugin_unique_identifiers: [uploaded.body.unique_identifier],
    }).expect(200);
    expect(again.body).toEqual({ all_installed: true, task_id: '' });
    const tasks = await get(owner, 'tasks?page=1&page_size=10').expect(200);
    expect(tasks.body.tasks).toHaveLength(1);

    const audit = await t.app.get(DataSource).getRepository(AuditLog).findBy({ action: 'plugin.installed' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: owner.accountId, targetType: 'plugin_installation' });
    expect(audit[0].metadata).toMatchObject({
      plugin_unique_identifier: uploaded.body.unique_identifier,
      verification: 'verified',
    });
  });

  it('refuses an unsigned package when verification is forced', async () => {
    const unsigned = replaceZipComment(signed, '');
    const refused = await expectRefused(unsigned, 400, 'unsigned', /not signed/);
    expect(refused.message).toMatch(/trusted key/);
  });

  it('refuses a package signed by a key that is not trusted', async () => {
    mkdirSync(join(work, 'stranger'));
    await keelPlugin(join(work, 'stranger'), 'keygen');
    const strangers = await signPackage(signed, readFileSync(join(work, 'stranger', 'private.pem'), 'utf8'));
    await expectRefused(strangers, 400, 'signature_untrusted');
  });

  it('refuses a package changed after it was signed', async () => {
    const changedDir = join(work, 'changed');
    cpSync(join(work, 'notes'), changedDir, { recursive: true });
    writeFileSync(join(changedDir, 'main.js'), `${readFileSync(join(changedDir, 'main.js'), 'utf8')}\n// slipped in\n`);
    await keelPlugin(work, 'pack', 'changed', '-o', 'changed.keelpkg');
    const tampered = replaceZipComment(
      readFileSync(join(work, 'changed.keelpkg')),
      (await readPackage(signed)).comment,
    );
    await expectRefused(tampered, 400, 'signature_invalid', /invalid/);
  });

  it('refuses hostile archives: zip-slip, a symlink, a zip bomb, an oversize package', async () => {
    const manifest = { name: 'manifest.yaml', data: Buffer.from(manifestText()) };
    const slip = await expectRefused(
      craftZip([manifest, { name: '../../etc/cron.d/evil', data: Buffer.from('* * * * * root sh') }]),
      400,
      'unsafe_entry',
    );
    expect(slip.message).toContain('../../etc/cron.d/evil');
    await expectRefused(
      craftZip([
        manifest,
        { name: 'link', data: Buffer.from('/etc/passwd'), method: 0, externalAttributes: (0o120777 << 16) >>> 0 },
      ]),
      400,
      'unsafe_entry',
      /link/,
    );
    // 64 MiB of zeros from ~64 KiB, declared honestly (refused before inflating) or as 1 KiB
    // (stopped once it inflates past that).
    const bomb = deflateBomb(64);
    await expectRefused(
      craftZip([manifest, { name: 'zeros.bin', raw: bomb, declaredSize: 64 * 1024 * 1024, crc: 0, method: 8 }]),
      400,
      'unpacked_too_large',
      /33554432/,
    );
    await expectRefused(
      craftZip([manifest, { name: 'zeros.bin', raw: bomb, declaredSize: 1024, crc: 0, method: 8 }]),
      400,
      'corrupt_package',
      /too many bytes/,
    );
    const big = craftZip([manifest, { name: 'blob.bin', data: Buffer.alloc(3 * 1024 * 1024, 7), method: 0 }]);
    await expectRefused(big, 413, 'package_too_large', /PLUGIN_MAX_PACKAGE_SIZE/);
  });

  it('refuses a manifest missing a required field, naming it', async () => {
    // Built by hand: `pack` itself refuses such a manifest.
    const files = (await readPackage(signed)).files.map((file) => ({
      name: file.path,
      data:
        file.path === 'manifest.yaml'
          ? Buffer.from(file.bytes.toString('utf8').replace(/^\s*memory:.*$/m, ''))
          : file.bytes,
    }));
    const pkg = craftZip(files); // unsigned too: the manifest is refused before the signature is looked at
    await expectRefused(pkg, 400, 'manifest_invalid', /resource\.memory: is required/);
    await expectRefused(Buffer.from('not a zip at all'), 400, 'corrupt_package');
    const empty = await request(t.baseUrl)
      .post('/console/api/workspaces/current/plugin/upload/pkg')
      .set(bearer(owner.access))
      .field('other', 'x')
      .expect(400);
    expect(empty.body.code).toBe('no_file_uploaded');
  });

  it('checks declared dependencies at install, within a batch too, and on uninstall', async () => {
    const dependent = await variant('reporter', (text) =>
      text
        .replace(/^name: notes$/m, 'name: reporter')
        .concat('\ndependencies:\n  - plugin: acme/base\n    version: ^1.2.0\n'),
    );
    const base = await variant('base', (text) =>
      text.replace(/^name: notes$/m, 'name: base').replace(/^version: 0\.0\.1$/m, 'version: 1.3.0'),
    );
    const dependentId = (await upload(owner, dependent).expect(200)).body.unique_identifier as string;
    const baseId = (await upload(owner, base).expect(200)).body.unique_identifier as string;
    const installations = () => t.app.get(DataSource).getRepository(PluginInstallation).count();
    const tasks = () => t.app.get(DataSource).getRepository(PluginInstallTask).count();
    const before = { installations: await installations(), tasks: await tasks() };

    const unmet = await post(owner, 'install/pkg', { plugin_unique_identifiers: [dependentId] }).expect(400);
    expect(unmet.body.code).toBe('plugin_dependency_unmet');
    expect(unmet.body.message).toContain('acme/base ^1.2.0 is not installed');
    expect({ installations: await installations(), tasks: await tasks() }).toEqual(before);

    // Both in one request: the base is installed first.
    const task = await install(owner, [dependentId, baseId]);
    expect(task.status).toBe('success');
    expect((task.plugins as { plugin_id: string }[]).map((p) => p.plugin_id)).toEqual(['acme/base', 'acme/reporter']);

    const list = (await get(owner, 'list').expect(200)).body.plugins as Array<Record<string, any>>;
    const baseInstallation = list.find((p) => p.plugin_id === 'acme/base')!;
    const inUse = await post(owner, 'uninstall', { plugin_installation_id: baseInstallation.installation_id }).expect(
      400,
    );
    expect(inUse.body).toMatchObject({ code: 'plugin_in_use' });
    expect(inUse.body.message).toContain('acme/reporter');
    const reporter = list.find((p) => p.plugin_id === 'acme/reporter')!;
    await post(owner, 'uninstall', { plugin_installation_id: reporter.installation_id }).expect(200, { success: true });
    await post(owner, 'uninstall', { plugin_installation_id: baseInstallation.installation_id }).expect(200, {
      success: true,
    });
    const missing = await post(owner, 'uninstall', { plugin_installation_id: baseInstallation.installation_id }).expect(
      404,
    );
    expect(missing.body.code).toBe('plugin_installation_not_found');
    await post(owner, 'install/pkg', { plugin_unique_identifiers: [`acme/ghost:1.0.0@${'0'.repeat(64)}`] }).expect(404);
    const malformed = await post(owner, 'install/pkg', { plugin_unique_identifiers: ['acme/notes'] }).expect(400);
    expect(malformed.body.code).toBe('invalid_param');
  });

  it('shares one installed version between workspaces and removes it from disk with the last one', async () => {
    const identifier = (await readPackage(signed)).uniqueIdentifier;
    await seedWorkspace(t, 'second@example.com', 'second-pass-1');
    const second = await login(t, 'second@example.com', 'second-pass-1');
    expect((await install(second, [identifier])).status).toBe('success');
    expect(await t.app.get(DataSource).getRepository(PluginVersion).countBy({ uniqueIdentifier: identifier })).toBe(1);
    expect((await get(second, 'list').expect(200)).body.total).toBe(1);

    const dir = join(t.config.plugins.workingDir, 'acme', 'notes', `0.0.1@${(await readPackage(signed)).checksum}`);
    const installationOf = async (session: Session) =>
      ((await get(session, 'list').expect(200)).body.plugins as Array<Record<string, any>>).find(
        (p) => p.plugin_id === 'acme/notes',
      )!.installation_id as string;

    // Disabled: still installed, shown as such; enabled again.
    const ownersInstallation = await installationOf(owner);
    await post(owner, 'disable', { plugin_installation_id: ownersInstallation }).expect(200, { success: true });
    expect((await get(owner, 'list').expect(200)).body.plugins[0].enabled).toBe(false);
    await post(owner, 'enable', { plugin_installation_id: ownersInstallation }).expect(200);
    expect((await get(owner, 'list').expect(200)).body.plugins[0].enabled).toBe(true);
    // Another workspace's installation is not this workspace's to touch.
    await post(owner, 'uninstall', { plugin_installation_id: await installationOf(second) }).expect(404);

    await post(owner, 'uninstall', { plugin_installation_id: ownersInstallation }).expect(200);
    expect(existsSync(dir)).toBe(true);
    expect((await get(second, 'list').expect(200)).body.total).toBe(1);
    await post(second, 'uninstall', { plugin_installation_id: await installationOf(second) }).expect(200);
    expect(existsSync(dir)).toBe(false);
    // The upload stays: installing again needs no new upload.
    expect((await install(owner, [identifier])).status).toBe('success');
    expect(existsSync(dir)).toBe(true);

    const actions = (await t.app.get(DataSource).getRepository(AuditLog).find()).map((row) => row.action);
    for (const action of [
      'plugin.uploaded',
      'plugin.installed',
      'plugin.uninstalled',
      'plugin.disabled',
      'plugin.enabled',
    ]) {
      expect(actions).toContain(action);
    }
  });

  it('lets owners and admins decide who may install: everyone, admins or no one', async () => {
    const normal = await addMember(t, owner, 'normal@example.com', 'normal');
    expect((await get(normal, 'permission/fetch').expect(200)).body).toEqual({
      install_permission: 'everyone',
      debug_permission: 'everyone',
    });
    const denied = await post(normal, 'permission/change', {
      install_permission: 'everyone',
      debug_permission: 'everyone',
    }).expect(403);
    expect(denied.body.code).toBe('forbidden');

    await post(owner, 'permission/change', { install_permission: 'admins', debug_permission: 'noone' }).expect(200, {
      success: true,
    });
    expect((await get(normal, 'permission/fetch').expect(200)).body).toEqual({
      install_permission: 'admins',
      debug_permission: 'noone',
    });
    expect((await upload(normal, signed).expect(403)).body.code).toBe('forbidden');
    const identifier = (await readPackage(signed)).uniqueIdentifier;
    await post(normal, 'install/pkg', { plugin_unique_identifiers: [identifier] }).expect(403);
    expect((await get(normal, 'list').expect(200)).body.total).toBeGreaterThan(0); // reading stays open
    await upload(owner, signed).expect(200);

    await post(owner, 'permission/change', { install_permission: 'noone', debug_permission: 'noone' }).expect(200);
    const off = await upload(owner, signed).expect(403);
    expect(off.body.message).toMatch(/no one/);
    const bad = await post(owner, 'permission/change', { install_permission: 'all', debug_permission: 'noone' }).expect(
      400,
    );
    expect(bad.body.code).toBe('invalid_param');
    await post(owner, 'permission/change', { install_permission: 'everyone', debug_permission: 'everyone' }).expect(
      200,
    );

    const changes = await t.app.get(DataSource).getRepository(AuditLog).findBy({ action: 'plugin.permission_changed' });
    expect(changes).toHaveLength(3);
    expect(
      changes.map((c) => (c.metadata as { after: { install_permission: string } }).after.install_permission).sort(),
    ).toEqual(['admins', 'everyone', 'noone']);
  });
});
