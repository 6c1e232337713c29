import { createHash } from 'node:crypto';
import { hashAppKey } from '../apps/app-api-key.token';
import {
  WORKSPACE_KEY_PREFIX,
  generateWorkspaceKey,
  hashWorkspaceKey,
  maskedWorkspaceKey,
  workspaceKeyTail,
} from './workspace-api-key.token';

describe('workspace key tokens', () => {
  it('are sk-keel- and 40 characters of [A-Za-z0-9], different every time', () => {
    const keys = Array.from({ length: 200 }, () => generateWorkspaceKey());
    for (const key of keys) expect(key).toMatch(/^sk-keel-[A-Za-z0-9]{40}$/);
    expect(new Set(keys).size).toBe(keys.length);
    expect(WORKSPACE_KEY_PREFIX).toBe('sk-keel-');
  });

  it('draw on the whole alphabet (upper case, lower case and digits all appear)', () => {
    const body = Array.from({ length: 50 }, () => generateWorkspaceKey().slice(WORKSPACE_KEY_PREFIX.length)).join('');
    expect(body).toMatch(/[A-Z]/);
    expect(body).toMatch(/[a-z]/);
    expect(body).toMatch(/[0-9]/);
  });

  it('hash to the SHA-256 hex of the whole key, as app keys do', () => {
    const key = 'sk-keel-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN';
    const expected = createHash('sha256').update(key).digest('hex');
    expect(hashWorkspaceKey(key)).toBe(expected);
    expect(hashWorkspaceKey(key)).toBe(hashAppKey(key));
    expect(hashWorkspaceKey(`${key}x`)).not.toBe(expected);
  });

  it('show only their last four characters once stored', () => {
    const key = generateWorkspaceKey();
    expect(workspaceKeyTail(key)).toBe(key.slice(-4));
    expect(maskedWorkspaceKey(workspaceKeyTail(key))).toBe(`sk-keel-****${key.slice(-4)}`);
  });
});
