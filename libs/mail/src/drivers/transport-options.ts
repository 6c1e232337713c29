import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type JSONTransport from 'nodemailer/lib/json-transport';
import type { MailModuleOptions } from '../mail.options';

// A relay that stops answering must fail the attempt (and let the queue retry), not hang it.
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** nodemailer transport options for each driver (one place, used by sending and by health). */
export function transportOptions(options: MailModuleOptions): SMTPTransport.Options | JSONTransport.Options {
  switch (options.driver) {
    case 'log':
      return { jsonTransport: true };
    case 'smtp':
      return {
        host: options.host,
        port: options.port,
        secure: options.secure,
        requireTLS: options.requireTls,
        auth: options.user ? { user: options.user, pass: options.password ?? '' } : undefined,
        tls: { rejectUnauthorized: !options.allowInvalidCertificates },
        ...SMTP_TIMEOUTS,
      };
    case 'sendgrid':
      return {
        host: options.host,
        port: options.port,
        secure: options.port === 465,
        requireTLS: options.port !== 465,
        auth: { user: 'apikey', pass: options.apiKey },
        ...SMTP_TIMEOUTS,
      };
    default: {
      const unknown: never = options;
      throw new Error(`Unknown mail driver ${JSON.stringify((unknown as { driver: unknown }).driver)}`);
    }
  }
}
