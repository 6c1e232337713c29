import { Inject, Injectable } from '@nestjs/common';
import { QueueService } from '@keel/queue';
import { addressList, assertValidAddress } from './mail-address';
import { MailError, MailErrorCode } from './mail.errors';
import { MAIL_MODULE_OPTIONS, MAIL_QUEUE } from './mail.module-definition';
import type { MailModuleOptions } from './mail.options';
import type { MailMessage } from './mail.types';

/** A validated message as it travels through the queue. */
export interface QueuedMail {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * The façade features inject. `send` validates everything first — a bad address is an error
 * here, before anything is queued — then hands the message to the `mail` queue, whose processor
 * delivers it with retries and records a final failure with its reason.
 */
@Injectable()
export class MailService {
  constructor(
    private readonly queues: QueueService,
    @Inject(MAIL_MODULE_OPTIONS) private readonly options: MailModuleOptions,
  ) {}

  get driver(): MailModuleOptions['driver'] {
    return this.options.driver;
  }

  /** Returns the id of the delivery job. */
  async send(message: MailMessage): Promise<string> {
    const mail: QueuedMail = {
      from: assertValidAddress(message.from ?? this.options.from, 'from'),
      to: addressList(message.to, 'to'),
      cc: addressList(message.cc, 'cc'),
      bcc: addressList(message.bcc, 'bcc'),
      replyTo: message.replyTo ? assertValidAddress(message.replyTo, 'reply-to') : undefined,
      subject: message.subject,
      text: message.text,
      html: message.html,
    };
    if (mail.to.length + mail.cc.length + mail.bcc.length === 0) {
      throw new MailError(MailErrorCode.InvalidMessage, 'A message needs at least one recipient');
    }
    if (!mail.subject?.trim() || /[\r\n]/.test(mail.subject)) {
      throw new MailError(MailErrorCode.InvalidMessage, 'A message needs a one-line subject');
    }
    if (!mail.text) throw new MailError(MailErrorCode.InvalidMessage, 'A message needs a plain-text part');
    return this.queues.add(MAIL_QUEUE, 'send', mail, {
      attempts: this.options.attempts,
      backoffMs: this.options.backoffMs,
    });
  }
}
