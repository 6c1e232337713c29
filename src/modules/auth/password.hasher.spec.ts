import { PasswordHasher } from './password.hasher';
import { passwordSchema } from './password.policy';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('stores scrypt with its cost and a random salt, and verifies only the right password', async () => {
    const a = await hasher.hash('correct-horse-1');
    const b = await hasher.hash('correct-horse-1');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{88}$/);
    expect(a).not.toBe(b);
    await expect(hasher.verify('correct-horse-1', a)).resolves.toBe(true);
    await expect(hasher.verify('correct-horse-2', a)).resolves.toBe(false);
    await expect(hasher.verify('correct-horse-1', null)).resolves.toBe(false);
    await expect(hasher.verify('correct-horse-1', 'md5$abc')).resolves.toBe(false);
  });
});

describe('password policy', () => {
  it.each([
    ['abcdefg1', true],
    ['p@ss w0rd!', true],
    ['abc1', false],
    ['abcdefgh', false],
    ['12345678', false],
    [`${'a'.repeat(127)}1x`, false],
  ])('%s → %s', (password, ok) => {
    expect(passwordSchema.safeParse(password).success).toBe(ok);
  });
});
