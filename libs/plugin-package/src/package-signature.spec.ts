import { constants, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { craftedFrom, craftZip, pluginFiles } from './package-fixtures.spec-support';
import { readPackage } from './package-reader';
import { signedData, signPackage, verifyPackage, verifySignature } from './package-signature';
import { packFiles } from './package-writer';
import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';
import type { VerificationResult } from './plugin-package.types';
import { assertSignatureAccepted } from './signature-policy';
import { generateKeyPair, keyFingerprint, type GeneratedKeyPair } from './signing-keys';
import { parseTrustedKeys, type TrustedKey } from './trusted-keys.loader';

const TIME = 1_738_324_800; // 2025-01-31T12:00:00Z
const trust = (...pairs: GeneratedKeyPair[]): TrustedKey[] =>
  pairs.flatMap((pair, index) => parseTrustedKeys(pair.publicKeyPem, `key ${index}`));

let zip: Buffer;
let ed25519: GeneratedKeyPair;
let rsa: GeneratedKeyPair;
let stranger: GeneratedKeyPair;

beforeAll(async () => {
  zip = await packFiles(pluginFiles());
  ed25519 = generateKeyPair('ed25519');
  rsa = generateKeyPair('rsa-sha256', 2048);
  stranger = generateKeyPair('ed25519');
});

/** The signed package's entries rebuilt with one byte of main.js changed, and its comment copied. */
async function tampered(signed: Buffer): Promise<Buffer> {
  const pkg = await readPackage(signed);
  const entries = craftedFrom(
    pkg.files.map((file) => {
      if (file.path !== 'main.js') return file;
      const bytes = Buffer.from(file.bytes);
      bytes[0] ^= 0x01;
      return { path: file.path, bytes };
    }),
  );
  return craftZip(entries, pkg.comment);
}

describe('signedData', () => {
  it("is each file's path hash and content hash in walk order, then the decimal time", () => {
    const files = [
      { path: 'main.js', sha256: 'aa'.repeat(32) },
      { path: 'é.txt', sha256: '0f'.repeat(32) },
    ];
    const pathHash = (path: string) => createHash('sha256').update(Buffer.from(path, 'utf8')).digest();
    const expected = Buffer.concat([
      pathHash('main.js'),
      Buffer.alloc(32, 0xaa),
      pathHash('é.txt'),
      Buffer.alloc(32, 0x0f),
      Buffer.from('1738324800'),
    ]);
    expect(signedData(files, TIME).equals(expected)).toBe(true);
  });
});

describe('signPackage and verifySignature', () => {
  it.each([
    ['Ed25519', () => ed25519, 'ed25519'],
    ['RSA-2048', () => rsa, 'rsa-sha256'],
  ])('a %s signature by a trusted key is verified', async (_name, pair, algorithm) => {
    const signed = await signPackage(zip, pair().privateKeyPem, { time: TIME });
    const result = await verifyPackage(signed, trust(stranger, pair()));
    expect(result).toEqual<VerificationResult>({
      status: 'verified',
      key_fingerprint: pair().fingerprint,
      algorithm: algorithm as VerificationResult['algorithm'],
      signed_at: '2025-01-31T12:00:00.000Z',
    });
    expect(() => assertSignatureAccepted(result, { requireTrustedSignature: true })).not.toThrow();
  });

  it('writes {signature, time, public_key} into the zip comment and leaves the entries alone', async () => {
    const signed = await signPackage(zip, ed25519.privateKeyPem, { time: new Date(TIME * 1000) });
    const pkg = await readPackage(signed);
    const comment = JSON.parse(pkg.comment);
    expect(Object.keys(comment)).toEqual(['signature', 'time', 'public_key']);
    expect(comment.time).toBe(TIME);
    // Everything before the end-of-central-directory comment length is the unsigned zip's bytes.
    expect(signed.subarray(0, zip.length - 2).equals(zip.subarray(0, zip.length - 2))).toBe(true);
    expect(pkg.checksum).toBe((await readPackage(zip)).checksum);
  });

  it('reports an unsigned package, refused only when verification is required', async () => {
    const result = await verifyPackage(zip, trust(ed25519));
    expect(result.status).toBe('unsigned');
    expect(() => assertSignatureAccepted(result, { requireTrustedSignature: false })).not.toThrow();
    expect(() => assertSignatureAccepted(result, { requireTrustedSignature: true })).toThrow(
      expect.objectContaining({ code: PluginPackageErrorCode.Unsigned }),
    );
  });

  it('reports a signature by a key nobody trusts, with that key', async () => {
    const signed = await signPackage(zip, stranger.privateKeyPem, { time: TIME });
    const result = await verifyPackage(signed, trust(ed25519, rsa));
    expect(result).toMatchObject({ status: 'untrusted', key_fingerprint: stranger.fingerprint, algorithm: 'ed25519' });
    expect(() => assertSignatureAccepted(result, { requireTrustedSignature: false })).not.toThrow();
    expect(() => assertSignatureAccepted(result, { requireTrustedSignature: true })).toThrow(
      expect.objectContaining({ code: PluginPackageErrorCode.SignatureUntrusted }),
    );
  });

  it.each([
    ['Ed25519', () => ed25519],
    ['RSA', () => rsa],
  ])(
    'finds a %s-signed package changed after signing invalid, and refuses it whatever the policy',
    async (_n, pair) => {
      const signed = await signPackage(zip, pair().privateKeyPem, { time: TIME });
      const changed = await tampered(signed);
      const result = verifySignature(await readPackage(changed), trust(pair()));
      expect(result).toMatchObject({ status: 'invalid', key_fingerprint: pair().fingerprint });
      expect(result.reason).toBe("the signature does not match the package's files");
      expect(() => assertSignatureAccepted(result, { requireTrustedSignature: false })).toThrow(
        expect.objectContaining({ code: PluginPackageErrorCode.SignatureInvalid }),
      );
    },
  );

  it('finds a package whose entries were renamed after signing invalid', async () => {
    const signed = await signPackage(zip, ed25519.privateKeyPem, { time: TIME });
    const pkg = await readPackage(signed);
    // Two files swap names: the same contents in the same order, under each other's name.
    const [a, b] = pkg.files.filter((file) => file.path !== 'manifest.yaml').slice(-2);
    const swapped = craftZip(
      craftedFrom(
        pkg.files.map((file) =>
          file === a ? { path: b.path, bytes: a.bytes } : file === b ? { path: a.path, bytes: b.bytes } : file,
        ),
      ),
      pkg.comment,
    );
    expect(verifySignature(await readPackage(swapped), trust(ed25519)).status).toBe('invalid');
  });

  it('finds a signature with another time than the one signed invalid', async () => {
    const signed = await signPackage(zip, ed25519.privateKeyPem, { time: TIME });
    const pkg = await readPackage(signed);
    const comment = JSON.parse(pkg.comment);
    const moved = { ...pkg, comment: JSON.stringify({ ...comment, time: TIME + 1 }) };
    expect(verifySignature(moved, trust(ed25519)).status).toBe('invalid');
  });

  it('re-signing replaces the signature and keeps the checksum', async () => {
    const first = await signPackage(zip, ed25519.privateKeyPem, { time: TIME });
    const second = await signPackage(first, rsa.privateKeyPem, { time: TIME + 60 });
    const [a, b] = [await readPackage(first), await readPackage(second)];
    expect(b.checksum).toBe(a.checksum);
    expect(b.uniqueIdentifier).toBe(a.uniqueIdentifier);
    expect(verifySignature(b, trust(rsa))).toMatchObject({ status: 'verified', algorithm: 'rsa-sha256' });
    expect(verifySignature(b, trust(ed25519)).status).toBe('untrusted');
  });

  it('verifies a Dify-style comment (no public_key) against the trusted keys', async () => {
    const pkg = await readPackage(zip);
    const signature = sign('sha256', signedData(pkg.files, TIME), {
      key: createPrivateKey(rsa.privateKeyPem),
      padding: constants.RSA_PKCS1_PADDING,
    });
    const comment = JSON.stringify({ signature: signature.toString('base64'), time: TIME });
    const dify = { ...pkg, comment };
    expect(verifySignature(dify, trust(ed25519, rsa))).toMatchObject({
      status: 'verified',
      key_fingerprint: rsa.fingerprint,
    });
    expect(verifySignature(dify, trust(ed25519))).toMatchObject({ status: 'untrusted' });
    expect(verifySignature(dify, trust(ed25519)).key_fingerprint).toBeUndefined();
  });

  it.each([
    ['not JSON', 'the zip comment is not signature JSON'],
    [JSON.stringify({ signature: 'AAAA', time: 'yesterday' }), 'the signature time is not a unix time in seconds'],
    [JSON.stringify({ signature: '***', time: TIME }), 'the signature is not base64'],
    [
      JSON.stringify({ signature: 'AAAA', time: TIME, public_key: 'AAAA' }),
      'the public_key in the signature is not a readable key',
    ],
  ])('finds a malformed comment invalid: %s', async (comment, reason) => {
    const pkg = await readPackage(zip);
    expect(verifySignature({ ...pkg, comment }, trust(ed25519))).toMatchObject({ status: 'invalid', reason });
  });

  it('refuses to sign with a short RSA key, an EC key or something that is not a key', async () => {
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    for (const [pem, message] of [
      [short, /1024 bits is too short/],
      [ec, /ec keys are not accepted/],
      ['hello', /not a readable PEM private key/],
    ] as const) {
      const error = await signPackage(zip, pem).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PluginPackageError);
      expect((error as PluginPackageError).code).toBe(PluginPackageErrorCode.KeyInvalid);
      expect((error as PluginPackageError).message).toMatch(message);
    }
  });

  it('signs only packages the reader accepts', async () => {
    const broken = craftZip([{ name: '../evil', data: Buffer.from('x') }]);
    await expect(signPackage(broken, ed25519.privateKeyPem)).rejects.toMatchObject({
      code: PluginPackageErrorCode.UnsafeEntry,
    });
  });

  it('fingerprints a key by the SHA-256 of its SPKI DER, the same for its private half', () => {
    const publicKey = createPublicKey(ed25519.publicKeyPem);
    const expected = createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex');
    expect(ed25519.fingerprint).toBe(expected);
    expect(keyFingerprint(createPrivateKey(ed25519.privateKeyPem))).toBe(expected);
    expect(trust(ed25519)[0].fingerprint).toBe(expected);
    expect(rsa.fingerprint).not.toBe(expected);
  });
});
