interface CommonMailOptions {
  /** Default sender, e.g. `Keel <no-reply@example.com>`. */
  from: string;
  /** Delivery attempts (first included) and the backoff base before retrying a refused send. */
  attempts: number;
  backoffMs: number;
}

/** Renders the message and writes it to the log; sends nothing (the embedded default). */
export interface LogMailOptions extends CommonMailOptions {
  driver: 'log';
}

export interface SmtpMailOptions extends CommonMailOptions {
  driver: 'smtp';
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS is used when offered. */
  secure: boolean;
  /** Refuse to send unless STARTTLS succeeds. */
  requireTls: boolean;
  user?: string;
  password?: string;
  /** Accept self-signed certificates (internal relays). */
  allowInvalidCertificates: boolean;
}

/** SendGrid through its SMTP relay (user `apikey`, the API key as password). */
export interface SendgridMailOptions extends CommonMailOptions {
  driver: 'sendgrid';
  apiKey: string;
  /** Relay host and port; SendGrid's unless overridden. */
  host: string;
  port: number;
}

export type MailModuleOptions = LogMailOptions | SmtpMailOptions | SendgridMailOptions;
