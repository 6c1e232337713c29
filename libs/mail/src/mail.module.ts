import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MailerModule, type MailerOptions } from '@nestjs-modules/mailer';
import { MAIL_MODULE_OPTIONS, MailConfigurableModule } from './mail.module-definition';
import type { MailModuleOptions } from './mail.options';
import { MailHealthIndicator } from './mail.health';
import { MailProcessor } from './mail.processor';
import { MailService } from './mail.service';
import { transportOptions } from './drivers/transport-options';

/**
 * Mail over `@nestjs-modules/mailer` (nodemailer): `log`, `smtp` or `sendgrid` (its SMTP relay).
 * Sending is always queued (needs the queue extension). Global, and it exports its options,
 * which is how the nested mailer module receives the transport the chosen driver defines.
 */
@Global()
@Module({
  imports: [
    TerminusModule,
    MailerModule.forRootAsync({
      // The mailer's typings for `defaults` differ from nodemailer's own, hence the cast.
      useFactory: (options: MailModuleOptions): MailerOptions => ({
        transport: transportOptions(options),
        defaults: { from: options.from } as MailerOptions['defaults'],
      }),
      inject: [MAIL_MODULE_OPTIONS],
    }),
  ],
  providers: [MailService, MailProcessor, MailHealthIndicator],
  exports: [MAIL_MODULE_OPTIONS, MailService, MailHealthIndicator],
})
export class MailModule extends MailConfigurableModule {}
