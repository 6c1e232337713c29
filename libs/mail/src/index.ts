export { MailModule } from './mail.module';
export { MAIL_MODULE_OPTIONS, MAIL_QUEUE } from './mail.module-definition';
export type { LogMailOptions, MailModuleOptions, SendgridMailOptions, SmtpMailOptions } from './mail.options';
export type { MailMessage } from './mail.types';
export { MailService } from './mail.service';
export { MailHealthIndicator } from './mail.health';
export { MailError, MailErrorCode } from './mail.errors';
export type { MailDelivery } from './mail.processor';
