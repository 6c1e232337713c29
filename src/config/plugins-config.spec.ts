import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAt, problemsAt } from '../../test/support/config';

const publicPem = (type: 'ed25519' | 'rsa') =>
  (type === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ed25519')
  ).publicKey.export({ type: 'spki', format: 'pem' }) as string;

describe('loadConfig: plugins', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'keel-trusted-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('trusts nobody, forces nothing and applies the package limits by default', () => {
    expect(loadAt({}).plugins).toEqual({
      trustedKeys: [],
      forceVerifySignature: false,
      limits: { maxPackageBytes: 52_428_800, maxEntries: 10_000, maxUnpackedBytes: 268_435_456 },
      workingDir: '/srv/keel/data/plugins',
      runtime: {
        startMode: 'lazy',
        maxExecutionTimeoutMs: 600_000,
        idleTimeoutMs: 900_000,
        maxQueuedCalls: 32,
        heartbeatIntervalMs: 30_000,
      },
    });
  });

  it('reads every .pem of the key directory and the variable, each key once', () => {
    const ed = publicPem('ed25519');
    writeFileSync(join(dir, 'a-ed.pem'), ed);
    writeFileSync(join(dir, 'b-rsa.PEM'), publicPem('rsa'));
    writeFileSync(join(dir, 'readme.txt'), 'not a key');
    const plugins = loadAt({
      PLUGIN_TRUSTED_KEYS_DIR: dir,
      PLUGIN_TRUSTED_KEYS: ed.replace(/\n/g, '\\n'),
      PLUGIN_FORCE_VERIFY_SIGNATURE: 'true',
      PLUGIN_WORKING_DIR: 'plugins-here',
      PLUGIN_MAX_PACKAGE_SIZE: '1mb',
      PLUGIN_MAX_UNPACKED_BYTES: '8 mb',
      PLUGIN_MAX_ENTRIES: '50',
    }).plugins;
    expect(plugins.trustedKeys.map((k) => [k.algorithm, k.source])).toEqual([
      ['ed25519', join(dir, 'a-ed.pem')],
      ['rsa-sha256', join(dir, 'b-rsa.PEM')],
    ]);
    expect(plugins.trustedKeys.every((k) => /^[0-9a-f]{64}$/.test(k.fingerprint))).toBe(true);
    expect(plugins.forceVerifySignature).toBe(true);
    expect(plugins.limits).toEqual({ maxPackageBytes: 1_048_576, maxUnpackedBytes: 8_388_608, maxEntries: 50 });
    expect(plugins.workingDir).toBe('/srv/keel/plugins-here');
  });

  it("accepts Dify's FORCE_VERIFYING_SIGNATURE and refuses a conflicting pair", () => {
    expect(
      loadAt({ FORCE_VERIFYING_SIGNATURE: 'true', PLUGIN_TRUSTED_KEYS: publicPem('ed25519') }).plugins
        .forceVerifySignature,
    ).toBe(true);
    const problems = problemsAt({
      FORCE_VERIFYING_SIGNATURE: 'false',
      PLUGIN_FORCE_VERIFY_SIGNATURE: 'true',
      PLUGIN_TRUSTED_KEYS: publicPem('ed25519'),
    });
    expect(problems).toEqual([
      { variable: 'PLUGIN_FORCE_VERIFY_SIGNATURE', message: expect.stringContaining('alias') },
    ]);
  });

  it('refuses forced verification without a trusted key', () => {
    expect(problemsAt({ PLUGIN_FORCE_VERIFY_SIGNATURE: 'true' })).toEqual([
      { variable: 'PLUGIN_FORCE_VERIFY_SIGNATURE', message: expect.stringContaining('no trusted key') },
    ]);
  });

  it('names the variable and the file for a private key, a missing directory and garbage', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(join(dir, 'oops.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const problems = problemsAt({ PLUGIN_TRUSTED_KEYS_DIR: dir, PLUGIN_TRUSTED_KEYS: 'hello' });
    expect(problems).toEqual([
      { variable: 'PLUGIN_TRUSTED_KEYS_DIR', message: expect.stringMatching(/oops\.pem.*private key/) },
      { variable: 'PLUGIN_TRUSTED_KEYS', message: expect.stringContaining('no PEM public key') },
    ]);
    expect(problemsAt({ PLUGIN_TRUSTED_KEYS_DIR: join(dir, 'absent') })).toEqual([
      { variable: 'PLUGIN_TRUSTED_KEYS_DIR', message: expect.stringContaining('ENOENT') },
    ]);
  });

  it('refuses limits below one', () => {
    expect(problemsAt({ PLUGIN_MAX_ENTRIES: '0' }).map((p) => p.variable)).toEqual(['PLUGIN_MAX_ENTRIES']);
    expect(problemsAt({ PLUGIN_MAX_PACKAGE_SIZE: '0mb' }).map((p) => p.variable)).toEqual(['PLUGIN_MAX_PACKAGE_SIZE']);
  });
});
