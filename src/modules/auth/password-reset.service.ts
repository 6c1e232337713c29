import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ApiException } from '../../common/errors/api.exception';
import { AppConfig } from '../../config/app-config';
import { AuditLogService } from '../audit/audit-log.service';
import { MailComposer } from '../mail/mail-composer.service';
import { Account } from '../workspaces/account.entity';
import { AuthStateStore } from './auth-state.store';
import { PasswordLoginDisabledException, TooManyAttemptsException } from './auth.exceptions';
import { PasswordHasher } from './password.hasher';
import { hashToken } from './refresh-token.service';
import type { RequestMeta } from './request-meta';
import { SessionService } from './session.service';

interface ResetState {
  email: string;
  code: string;
  phase: 'code' | 'reset';
  attempts: number;
}

const MAX_CODE_ATTEMPTS = 5;
const SEND_INTERVAL_MS = 60_000;

const invalidToken = () => new ApiException(400, 'invalid_or_expired_token', 'The token is invalid or has expired.');

/**
 * Dify's reset by emailed code: `forgot-password` mails a 6-digit code and answers an opaque
 * token (the same answer whether or not the email has an account); `validity` trades token +
 * code for a reset token; `resets` sets the new password and ends every session.
 */
@Injectable()
export class PasswordResetService {
  private readonly logger = new Logger(PasswordResetService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly store: AuthStateStore,
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    private readonly hasher: PasswordHasher,
    private readonly mail: MailComposer,
    private readonly sessions: SessionService,
    private readonly audit: AuditLogService,
  ) {}

  private get ttlMs(): number {
    return this.config.auth.passwordResetTtlMinutes * 60_000;
  }

  async start(email: string): Promise<string> {
    this.assertEnabled();
    const sent = await this.store.increment(`reset-send:${digest(email)}`, SEND_INTERVAL_MS);
    if (sent.count > 1) {
      throw new TooManyAttemptsException(
        'password_reset_rate_limit_exceeded',
        'Too many password reset emails. Please try again in a minute.',
        Math.ceil(sent.resetInMs / 1000),
      );
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const token = await this.save({ email, code, phase: 'code', attempts: 0 });
    const account = await this.accounts.findOneBy({ email });
    if (account && account.status === 'active') {
      await this.mail.passwordResetCode(email, { code, expiresInMinutes: this.config.auth.passwordResetTtlMinutes });
    } else {
      this.logger.log('password reset asked for an email without an active account; no mail sent');
    }
    return token;
  }

  async check(email: string, code: string, token: string): Promise<string> {
    this.assertEnabled();
    const state = await this.load(token);
    if (!state || state.phase !== 'code') throw invalidToken();
    if (state.email !== email) throw new ApiException(400, 'invalid_email', 'The email does not match the token.');
    if (!sameCode(state.code, code)) {
      state.attempts += 1;
      if (state.attempts >= MAX_CODE_ATTEMPTS) {
        await this.store.delete(stateKey(token));
        throw new TooManyAttemptsException(
          'email_password_reset_limit',
          'Too many wrong codes. Ask for a new code.',
          Math.ceil(this.ttlMs / 1000),
        );
      }
      await this.store.set(stateKey(token), JSON.stringify(state), this.ttlMs);
      throw new ApiException(400, 'email_code_error', 'Email code is invalid or expired.');
    }
    await this.store.delete(stateKey(token));
    return this.save({ ...state, phase: 'reset' });
  }

  async reset(token: string, newPassword: string, confirm: string, meta: RequestMeta): Promise<void> {
    this.assertEnabled();
    if (newPassword !== confirm) throw new ApiException(400, 'password_mismatch', 'The passwords do not match.');
    const state = await this.load(token);
    if (!state || state.phase !== 'reset') throw invalidToken();
    const account = await this.accounts.findOneBy({ email: state.email });
    if (!account || account.status !== 'active') throw invalidToken();
    const passwordHash = await this.hasher.hash(newPassword);
    await this.store.delete(stateKey(token));
    await this.accounts.update({ id: account.id }, { passwordHash, updatedAt: new Date() });
    await this.sessions.endAllFor(account.id);
    await this.audit.record({
      action: 'account.password_reset',
      actorId: account.id,
      actorEmail: account.email,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
  }

  private assertEnabled(): void {
    if (!this.config.auth.passwordLoginEnabled) throw new PasswordLoginDisabledException();
  }

  private async save(state: ResetState): Promise<string> {
    const token = randomBytes(32).toString('hex');
    await this.store.set(stateKey(token), JSON.stringify(state), this.ttlMs);
    return token;
  }

  private async load(token: string): Promise<ResetState | undefined> {
    const raw = await this.store.get(stateKey(token));
    return raw ? (JSON.parse(raw) as ResetState) : undefined;
  }
}

const digest = (v: string) => createHash('sha256').update(v).digest('hex').slice(0, 32);
const stateKey = (token: string) => `reset:${hashToken(token)}`;

function sameCode(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
