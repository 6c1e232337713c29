import { createHmac } from 'node:crypto';
import type { AppConfig } from '../../config/app-config';
import { deriveKey, SecretKeys } from './secret-keys';

describe('deriveKey', () => {
  const secret = 's'.repeat(40);

  it('is deterministic and bound to its purpose', () => {
    expect(deriveKey(secret, 'url-signing')).toEqual(deriveKey(secret, 'url-signing'));
    expect(deriveKey(secret, 'url-signing').equals(deriveKey(secret, 'credentials-encryption'))).toBe(false);
    expect(deriveKey(secret, 'url-signing').equals(deriveKey('t'.repeat(40), 'url-signing'))).toBe(false);
  });

  it('is HKDF-SHA256 (RFC 5869) with salt "keel/v1" and the purpose as info', () => {
    const prk = createHmac('sha256', 'keel/v1').update(secret).digest();
    const t1 = createHmac('sha256', prk)
      .update(Buffer.concat([Buffer.from('oauth-state'), Buffer.from([1])]))
      .digest();
    expect(deriveKey(secret, 'oauth-state')).toEqual(t1);
  });

  it('honours the requested length', () => {
    expect(deriveKey(secret, 'access-token-signing', 64)).toHaveLength(64);
  });
});

describe('SecretKeys', () => {
  it('derives from the configured SECRET_KEY', () => {
    const keys = new SecretKeys({ security: { secretKey: 'x'.repeat(32) } } as AppConfig);
    expect(keys.get('url-signing')).toEqual(deriveKey('x'.repeat(32), 'url-signing'));
  });
});
