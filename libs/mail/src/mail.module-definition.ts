import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MailModuleOptions } from './mail.options';

export const { ConfigurableModuleClass: MailConfigurableModule, MODULE_OPTIONS_TOKEN: MAIL_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<MailModuleOptions>({ moduleName: 'Mail' }).setClassMethodName('forRoot').build();

/** The queue every message goes through. */
export const MAIL_QUEUE = 'mail';
