import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { Account } from '../workspaces/account.entity';
import { Invitation } from '../workspaces/invitation.entity';
import { WorkspaceMember } from '../workspaces/workspace-member.entity';
import { AccountIntegration } from './account-integration.entity';
import { OAuthController } from './oauth.controller';
import { SsoLoginService } from './sso-login.service';
import { SsoStrategies } from './sso-strategies';

/** Console single sign-on: GitHub (and GitHub Enterprise), Google, any OpenID Connect provider. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Account, AccountIntegration, WorkspaceMember, Invitation]),
    AuthModule,
    AuditModule,
  ],
  controllers: [OAuthController],
  providers: [SsoStrategies, SsoLoginService],
  exports: [SsoStrategies],
})
export class SsoModule {}
