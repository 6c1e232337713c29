export enum MailErrorCode {
  InvalidAddress = 'invalid_email_address',
  InvalidMessage = 'invalid_email_message',
}

export class MailError extends Error {
  constructor(
    readonly code: MailErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MailError';
  }
}
