import { HttpException } from '@nestjs/common';

/**
 * An error meant for the client: HTTP status, a stable snake_case `code` and a message. Every
 * feature's exceptions extend it with their own code enum; the global filter renders it in the
 * envelope of the API face that was called.
 */
export class ApiException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly extra?: { headers?: Record<string, string>; cause?: unknown },
  ) {
    super(message, status, { cause: extra?.cause });
    this.name = new.target.name;
  }
}
