import { openWithPassphrase, sealWithPassphrase, WrongPassphraseError } from './passphrase-seal';

describe('sealWithPassphrase', () => {
  it('opens with the same passphrase only, and a changed byte is refused', async () => {
    const secret = { openai: { api_key: 'sk-live-1' } };
    const sealed = await sealWithPassphrase(secret, 'correct horse battery');
    expect(JSON.stringify(sealed)).not.toContain('sk-live-1');
    expect(await openWithPassphrase(sealed, 'correct horse battery')).toEqual(secret);
    await expect(openWithPassphrase(sealed, 'wrong horse battery')).rejects.toBeInstanceOf(WrongPassphraseError);
    const tampered = { ...sealed, ciphertext: `A${sealed.ciphertext.slice(1)}` };
    if (tampered.ciphertext === sealed.ciphertext) tampered.ciphertext = `B${sealed.ciphertext.slice(1)}`;
    await expect(openWithPassphrase(tampered, 'correct horse battery')).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it('salts each seal, so the same value and passphrase never give the same file', async () => {
    const a = await sealWithPassphrase('x', 'passphrase-1');
    const b = await sealWithPassphrase('x', 'passphrase-1');
    expect(a.salt).not.toBe(b.salt);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });
});
