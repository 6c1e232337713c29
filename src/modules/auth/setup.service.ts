import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { runInTransaction } from '../../database/transaction';
import { DataSource, type Repository } from 'typeorm';
import { ApiException } from '../../common/errors/api.exception';
import { SecretKeys } from '../../common/crypto/secret-keys';
import { AppConfig } from '../../config/app-config';
import { AuditLogService } from '../audit/audit-log.service';
import { Account } from '../workspaces/account.entity';
import type { Workspace } from '../workspaces/workspace.entity';
import { insertOwnedWorkspace } from '../workspaces/owned-workspace';
import { LoginRateLimiter } from './login-rate-limiter';
import { PasswordHasher } from './password.hasher';
import type { RequestMeta } from './request-meta';
import { Setup } from './setup.entity';
import { newAccount } from '../workspaces/new-account';

const SETUP_ID = 'default';
/** How long a passed init check lets this browser run the setup. */
export const INIT_COOKIE_TTL_MS = 60 * 60_000;
export const INIT_COOKIE = 'keel_init_validated';

export class AlreadySetupException extends ApiException {
  constructor() {
    super(403, 'already_setup', 'Keel has already been set up. Sign in instead.');
  }
}

export interface SetupInput {
  email: string;
  name: string;
  password: string;
  language?: string;
}

/**
 * First-run setup (Dify's flow): with INIT_PASSWORD set, `POST /init` must be passed first (it
 * hands the browser a signed, short-lived cookie); `POST /setup` then creates the owner account
 * and its workspace, exactly once — the fixed primary key of `setups` makes a concurrent second
 * setup fail inside its transaction, leaving nothing behind.
 */
@Injectable()
export class SetupService {
  constructor(
    private readonly config: AppConfig,
    private readonly keys: SecretKeys,
    private readonly dataSource: DataSource,
    @InjectRepository(Setup) private readonly setups: Repository<Setup>,
    private readonly hasher: PasswordHasher,
    private readonly limiter: LoginRateLimiter,
    private readonly audit: AuditLogService,
  ) {}

  async setupAt(): Promise<Date | undefined> {
    return (await this.setups.findOneBy({ id: SETUP_ID }))?.setupAt;
  }

  /** Whether the init check is passed (or not needed) for a browser holding this cookie. */
  async initValidated(cookie: string | undefined): Promise<boolean> {
    if (!this.config.auth.initPassword) return true;
    if (this.cookieValid(cookie)) return true;
    return (await this.setupAt()) !== undefined;
  }

  /** Checks INIT_PASSWORD; returns the cookie value proving it. */
  async validateInit(password: string, meta: RequestMeta): Promise<string> {
    if (await this.setupAt()) throw new AlreadySetupException();
    const expected = this.config.auth.initPassword;
    if (expected) {
      await this.limiter.assertAllowed(meta.ip, meta.ip, 'init');
      const digest = (v: string) => createHash('sha256').update(v).digest();
      if (!timingSafeEqual(digest(password), digest(expected))) {
        await this.limiter.recordFailure(meta.ip, meta.ip, 'init');
        throw new ApiException(
          401,
          'init_validate_failed',
          'Init validation failed. Check the password and try again.',
        );
      }
    }
    const expires = Date.now() + INIT_COOKIE_TTL_MS;
    return `${expires}.${this.sign(String(expires))}`;
  }

  async setup(input: SetupInput, initCookie: string | undefined, meta: RequestMeta): Promise<void> {
    if (await this.setupAt()) throw new AlreadySetupException();
    if (!(await this.initValidated(initCookie))) {
      throw new ApiException(
        401,
        'not_init_validated',
        'Init validation has not been completed yet. Please proceed with the init validation process first.',
      );
    }
    const passwordHash = await this.hasher.hash(input.password);
    const now = new Date();
    const account = newAccount({
      name: input.name,
      email: input.email,
      passwordHash,
      interfaceLanguage: input.language,
      now,
    });
    let workspace: Workspace;
    try {
      workspace = await runInTransaction(this.dataSource, async (manager) => {
        await manager.insert(Setup, { id: SETUP_ID, setupAt: now });
        await manager.insert(Account, account);
        return insertOwnedWorkspace(manager, account, now);
      });
    } catch (error) {
      // Another setup won the race (the `setups` key is taken): nothing of this one remains.
      if (await this.setupAt()) throw new AlreadySetupException();
      throw error;
    }
    await this.audit.record({
      action: 'workspace.setup',
      workspaceId: workspace.id,
      actorId: account.id,
      actorEmail: account.email,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
  }

  private cookieValid(cookie: string | undefined): boolean {
    if (!cookie) return false;
    const [expires, signature] = cookie.split('.');
    if (!expires || !signature || Number(expires) <= Date.now()) return false;
    const expected = Buffer.from(this.sign(expires));
    const actual = Buffer.from(signature);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  private sign(value: string): string {
    return createHmac('sha256', this.keys.get('init-validation')).update(value).digest('base64url');
  }
}
