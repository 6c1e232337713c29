import { randomUUID } from 'node:crypto';
import type { Account } from './account.entity';

/** An active account as every way of creating one starts it (setup, SSO sign-up, the CLI). */
export function newAccount(fields: {
  name: string;
  email: string;
  passwordHash: string | null;
  interfaceLanguage?: string;
  now: Date;
}): Account {
  return {
    id: randomUUID(),
    name: fields.name,
    email: fields.email,
    passwordHash: fields.passwordHash,
    status: 'active',
    tokenVersion: 0,
    interfaceLanguage: fields.interfaceLanguage ?? 'en-US',
    timezone: 'UTC',
    lastLoginAt: null,
    lastLoginIp: null,
    initializedAt: fields.now,
    createdAt: fields.now,
    updatedAt: fields.now,
  };
}
