import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';
import { generateKeyPair } from './signing-keys';
import { loadTrustedKeys, parseTrustedKeys } from './trusted-keys.loader';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keel-keys-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function refusal(run: () => Promise<unknown>): Promise<PluginPackageError> {
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error instanceof PluginPackageError) return error;
  throw new Error(`expected a PluginPackageError, got ${String(error)}`);
}

describe('loadTrustedKeys', () => {
  it('trusts every .pem in the directory and ignores other files', async () => {
    const ed = generateKeyPair('ed25519');
    const rsa = generateKeyPair('rsa-sha256', 2048);
    await writeFile(join(dir, 'alice.pem'), ed.publicKeyPem);
    await writeFile(join(dir, 'bob.PEM'), rsa.publicKeyPem);
    await writeFile(join(dir, 'README.txt'), 'not a key');
    const keys = await loadTrustedKeys({ dir });
    expect(keys.map((key) => [key.source, key.fingerprint, key.algorithm])).toEqual([
      [join(dir, 'alice.pem'), ed.fingerprint, 'ed25519'],
      [join(dir, 'bob.PEM'), rsa.fingerprint, 'rsa-sha256'],
    ]);
  });

  it('names the file that is not a key', async () => {
    await writeFile(join(dir, 'good.pem'), generateKeyPair().publicKeyPem);
    await writeFile(join(dir, 'bad.pem'), '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n');
    const error = await refusal(() => loadTrustedKeys({ dir }));
    expect(error.code).toBe(PluginPackageErrorCode.KeyInvalid);
    expect(error.message).toMatch(
      new RegExp(`^${join(dir, 'bad.pem').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a readable public key`),
    );
    expect(error.details.field).toBe(join(dir, 'bad.pem'));
  });

  it('refuses a private key in the directory, and an empty .pem', async () => {
    await writeFile(join(dir, 'oops.pem'), generateKeyPair().privateKeyPem);
    expect((await refusal(() => loadTrustedKeys({ dir }))).message).toContain('oops.pem: this is a private key');
    await rm(join(dir, 'oops.pem'));
    await writeFile(join(dir, 'empty.pem'), '');
    expect((await refusal(() => loadTrustedKeys({ dir }))).message).toContain('empty.pem: no PEM public key');
  });

  it('names a directory it cannot read', async () => {
    const missing = join(dir, 'nope');
    expect((await refusal(() => loadTrustedKeys({ dir: missing }))).message).toMatch(
      /nope: the trusted key directory cannot be read/,
    );
  });

  it('takes PEM text with several keys, \\n-escaped too, and keeps each key once', async () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    await writeFile(join(dir, 'a.pem'), a.publicKeyPem);
    const escaped = (a.publicKeyPem + b.publicKeyPem).replace(/\n/g, '\\n');
    const keys = await loadTrustedKeys({ dir, pems: escaped });
    expect(keys.map((key) => key.fingerprint)).toEqual([a.fingerprint, b.fingerprint]);
    expect(keys[1].source).toBe('PEM #1');
  });

  it('refuses RSA keys under 2048 bits and other key types', () => {
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(() => parseTrustedKeys(short, 'short')).toThrow(
      'short: an RSA key of 1024 bits is too short (at least 2048).',
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(() => parseTrustedKeys(ec, 'ec')).toThrow('ec: ec keys are not accepted; use Ed25519 or RSA.');
  });

  it('accepts a PKCS#1 "RSA PUBLIC KEY" block', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs1 = publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pkcs1).toContain('BEGIN RSA PUBLIC KEY');
    expect(parseTrustedKeys(pkcs1, 'pkcs1')[0].algorithm).toBe('rsa-sha256');
  });
});
