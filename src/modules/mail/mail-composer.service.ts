import { Injectable } from '@nestjs/common';
import { MailService } from '@keel/mail';
import {
  emailLoginCodeMail,
  passwordResetCodeMail,
  type VerificationCode,
  type WorkspaceInvitation,
  workspaceInvitationMail,
} from './mail-templates';
import type { RenderedMail } from './mail-layout';

/** Keel's messages, rendered (plain text and HTML) and queued for delivery. Returns the job id. */
@Injectable()
export class MailComposer {
  constructor(private readonly mail: MailService) {}

  workspaceInvitation(to: string, params: WorkspaceInvitation): Promise<string> {
    return this.send(to, workspaceInvitationMail(params));
  }

  passwordResetCode(to: string, params: VerificationCode): Promise<string> {
    return this.send(to, passwordResetCodeMail(params));
  }

  emailLoginCode(to: string, params: VerificationCode): Promise<string> {
    return this.send(to, emailLoginCodeMail(params));
  }

  private send(to: string, rendered: RenderedMail): Promise<string> {
    return this.mail.send({ to, ...rendered });
  }
}
