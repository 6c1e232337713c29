import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { MailTemplatesModule } from '../mail/mail-templates.module';
import { AccountController } from './account.controller';
import { Account } from './account.entity';
import { AccountService } from './account.service';
import { ActivateController } from './activate.controller';
import { Invitation } from './invitation.entity';
import { InvitationService } from './invitation.service';
import { MembersController } from './members.controller';
import { MembersService } from './members.service';
import { WorkspaceMember } from './workspace-member.entity';
import { Workspace } from './workspace.entity';
import { WorkspacesController } from './workspaces.controller';
import { WorkspacesService } from './workspaces.service';

/** The console's accounts, workspaces, members and invitations. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Account, Workspace, WorkspaceMember, Invitation]),
    AuthModule,
    AuditModule,
    MailTemplatesModule,
  ],
  controllers: [AccountController, WorkspacesController, MembersController, ActivateController],
  providers: [AccountService, WorkspacesService, MembersService, InvitationService],
})
export class WorkspacesModule {}
