import { Inject, Logger } from '@nestjs/common';
import { MailerService } from '@nestjs-modules/mailer';
import { type JobContext, type JobHandler, QueueProcessor } from '@keel/queue';
import { MAIL_MODULE_OPTIONS, MAIL_QUEUE } from './mail.module-definition';
import type { MailModuleOptions } from './mail.options';
import type { QueuedMail } from './mail.service';

export interface MailDelivery {
  messageId?: string;
  accepted: string[];
}

/** Delivers queued messages; a thrown error makes the queue retry, then record the failure. */
@QueueProcessor(MAIL_QUEUE, { concurrency: 4 })
export class MailProcessor implements JobHandler<QueuedMail, MailDelivery> {
  private readonly logger = new Logger('Mail');

  constructor(
    private readonly mailer: MailerService,
    @Inject(MAIL_MODULE_OPTIONS) private readonly options: MailModuleOptions,
  ) {}

  async handle(job: JobContext<QueuedMail>): Promise<MailDelivery> {
    const mail = job.data;
    const info = (await this.mailer.sendMail({
      from: mail.from,
      to: mail.to,
      cc: mail.cc,
      bcc: mail.bcc,
      replyTo: mail.replyTo,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
    })) as { messageId?: string; accepted?: Array<string | { address: string }> };
    const recipients = [...mail.to, ...mail.cc, ...mail.bcc];
    if (this.options.driver === 'log') {
      // Development aid: nothing is sent, so the content (a login code, say) is shown here.
      this.logger.log({ to: recipients, subject: mail.subject, text: mail.text }, 'mail not sent (MAIL_DRIVER=log)');
    } else {
      this.logger.log({ to: recipients.length, subject: mail.subject, attempt: job.attempt }, 'mail delivered');
    }
    return {
      messageId: info.messageId,
      accepted: (info.accepted ?? recipients).map((a) => (typeof a === 'string' ? a : a.address)),
    };
  }
}
