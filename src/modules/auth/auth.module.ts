import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { MailTemplatesModule } from '../mail/mail-templates.module';
import { Account } from '../workspaces/account.entity';
import { WorkspaceMember } from '../workspaces/workspace-member.entity';
import { AccessTokenService } from './access-token.service';
import { AuthStateStore } from './auth-state.store';
import { AuthController } from './auth.controller';
import { ConsoleAuthGuard } from './console-auth.guard';
import { ForgotPasswordController } from './forgot-password.controller';
import { LoginRateLimiter } from './login-rate-limiter';
import { LoginService } from './login.service';
import { PasswordResetService } from './password-reset.service';
import { PasswordHasher } from './password.hasher';
import { RefreshToken } from './refresh-token.entity';
import { RefreshTokenService } from './refresh-token.service';
import { SessionCookies } from './session-cookies';
import { SessionService } from './session.service';
import { SetupController } from './setup.controller';
import { Setup } from './setup.entity';
import { SetupService } from './setup.service';
import { SystemFeaturesController } from './system-features.controller';

/**
 * Console authentication: first-run setup, password login, access and refresh tokens, password
 * reset, and the global guard that makes every `/console/api` route authenticated unless `@Public()`.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Account, WorkspaceMember, RefreshToken, Setup]),
    AuditModule,
    MailTemplatesModule,
  ],
  controllers: [SetupController, AuthController, ForgotPasswordController, SystemFeaturesController],
  providers: [
    PasswordHasher,
    AccessTokenService,
    RefreshTokenService,
    SessionService,
    SessionCookies,
    AuthStateStore,
    LoginRateLimiter,
    LoginService,
    SetupService,
    PasswordResetService,
    { provide: APP_GUARD, useClass: ConsoleAuthGuard },
  ],
  exports: [PasswordHasher, SessionService, SessionCookies, AuthStateStore],
})
export class AuthModule {}
