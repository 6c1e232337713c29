import type { AppConfig } from '../../config/app-config';
import { SecretKeys } from '../../common/crypto/secret-keys';
import { CredentialCipher } from './credential.cipher';
import { maskCredentials, maskSecret } from './credential.masker';

const cipherWith = (secretKey: string) =>
  new CredentialCipher(new SecretKeys({ security: { secretKey } } as unknown as AppConfig));

describe('CredentialCipher', () => {
  const cipher = cipherWith('k'.repeat(32));

  it('round-trips a credential object and never stores the plaintext', () => {
    const sealed = cipher.encrypt({ api_key: 'sk-live-123456789', endpoint_url: 'http://vllm:8000/v1' });
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('sk-live');
    expect(cipher.decrypt(sealed)).toEqual({ api_key: 'sk-live-123456789', endpoint_url: 'http://vllm:8000/v1' });
    expect(cipher.encrypt({ a: 1 })).not.toBe(cipher.encrypt({ a: 1 }));
  });

  it('refuses a tampered value or another SECRET_KEY', () => {
    const sealed = cipher.encrypt({ api_key: 'x' });
    const parts = sealed.split(':');
    parts[3] = Buffer.from('{"api_key":"y"}').toString('base64url');
    expect(() => cipher.decrypt(parts.join(':'))).toThrow();
    expect(() => cipherWith('z'.repeat(32)).decrypt(sealed)).toThrow();
    expect(() => cipher.decrypt('plaintext')).toThrow(/not a sealed credential/);
  });
});

describe('maskSecret', () => {
  it('keeps a recognisable prefix and the last four characters only', () => {
    expect(maskSecret('sk-proj-abcdefghijklmnop1234')).toBe('sk-****1234');
    expect(maskSecret('abcdefghijklmnop')).toBe('ab****mnop');
    expect(maskSecret('short')).toBe('*****');
    expect(maskCredentials({ api_key: 'sk-1234567890abcd', endpoint_url: 'http://x' }, ['api_key'])).toEqual({
      api_key: 'sk-****abcd',
      endpoint_url: 'http://x',
    });
  });
});
