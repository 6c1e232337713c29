import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { RefreshToken } from './refresh-token.entity';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export type RotateOutcome =
  | { ok: true; accountId: string; token: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'reused' };

/**
 * Refresh tokens: 64 random bytes (hex) handed out once, kept as SHA-256. Every use rotates:
 * the presented token is marked rotated and a new one joins its family. A rotated token seen
 * again means it was copied, so the whole family — the newest token included — is revoked.
 */
@Injectable()
export class RefreshTokenService {
  private readonly logger = new Logger(RefreshTokenService.name);

  constructor(
    @InjectRepository(RefreshToken) private readonly tokens: Repository<RefreshToken>,
    private readonly config: AppConfig,
  ) {}

  async issue(accountId: string, familyId: string = randomUUID()): Promise<string> {
    const token = randomBytes(64).toString('hex');
    const now = new Date();
    await this.tokens.insert({
      id: randomUUID(),
      accountId,
      familyId,
      tokenHash: hashToken(token),
      expiresAt: new Date(now.getTime() + this.config.auth.refreshTokenTtlMs),
      rotatedAt: null,
      revokedAt: null,
      createdAt: now,
    });
    return token;
  }

  async rotate(token: string): Promise<RotateOutcome> {
    const row = await this.tokens.findOneBy({ tokenHash: hashToken(token) });
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.revokedAt) return { ok: false, reason: 'revoked' };
    if (row.rotatedAt) {
      await this.revokeFamily(row.familyId);
      this.logger.warn(
        { accountId: row.accountId, familyId: row.familyId },
        'rotated refresh token reused; family revoked',
      );
      return { ok: false, reason: 'reused' };
    }
    if (row.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
    // Only one of two concurrent rotations of the same token wins; the loser counts as reuse.
    const claimed = await this.tokens.update(
      { id: row.id, rotatedAt: IsNull(), revokedAt: IsNull() },
      { rotatedAt: new Date() },
    );
    if (!claimed.affected) {
      await this.revokeFamily(row.familyId);
      return { ok: false, reason: 'reused' };
    }
    return { ok: true, accountId: row.accountId, token: await this.issue(row.accountId, row.familyId) };
  }

  /** Logout: the token's family ends. Unknown tokens are ignored. */
  async revoke(token: string): Promise<string | undefined> {
    const row = await this.tokens.findOneBy({ tokenHash: hashToken(token) });
    if (!row) return undefined;
    await this.revokeFamily(row.familyId);
    return row.accountId;
  }

  async revokeAllFor(accountId: string): Promise<void> {
    await this.tokens.update({ accountId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.tokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}
