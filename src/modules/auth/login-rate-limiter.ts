import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AuthStateStore } from './auth-state.store';
import { TooManyAttemptsException } from './auth.exceptions';

const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

/**
 * Failed password logins, counted per email and per client IP in a fixed window
 * (LOGIN_MAX_ATTEMPTS per 15 minutes). Once either count is spent, every attempt — even with
 * the right password — answers 429 until the window ends.
 */
@Injectable()
export class LoginRateLimiter {
  constructor(
    private readonly store: AuthStateStore,
    private readonly config: AppConfig,
  ) {}

  /** `scope` keeps other password checks (the init password) apart from sign-in. */
  private keys(email: string, ip: string, scope: string): string[] {
    return [`${scope}-fail:email:${digest(email)}`, `${scope}-fail:ip:${digest(ip)}`];
  }

  async assertAllowed(email: string, ip: string, scope = 'login'): Promise<void> {
    const counts = await Promise.all(this.keys(email, ip, scope).map((k) => this.store.count(k)));
    const spent = counts.filter((c) => c.count >= this.config.auth.loginMaxAttempts);
    if (spent.length > 0) {
      const waitMs = Math.max(...spent.map((c) => c.resetInMs));
      throw new TooManyAttemptsException(
        'login_rate_limited',
        'Too many failed login attempts. Please try again later.',
        Math.ceil(waitMs / 1000),
      );
    }
  }

  async recordFailure(email: string, ip: string, scope = 'login'): Promise<void> {
    await Promise.all(
      this.keys(email, ip, scope).map((k) => this.store.increment(k, this.config.auth.loginAttemptWindowMs)),
    );
  }

  /** A successful login clears the email's count (the IP's stays: it may be guessing other accounts). */
  async recordSuccess(email: string): Promise<void> {
    await this.store.delete(this.keys(email, '', 'login')[0]);
  }
}
