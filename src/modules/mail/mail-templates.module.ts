import { Module } from '@nestjs/common';
import { MailComposer } from './mail-composer.service';

/** Keel's own messages over the mail extension; features import this to send them. */
@Module({ providers: [MailComposer], exports: [MailComposer] })
export class MailTemplatesModule {}
