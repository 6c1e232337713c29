export interface MailMessage {
  to: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  subject: string;
  text: string;
  html?: string;
  /** Overrides the configured sender. */
  from?: string;
  replyTo?: string;
}
