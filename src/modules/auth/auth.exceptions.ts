import { ApiException } from '../../common/errors/api.exception';

/** Console authentication errors, with Dify's codes where Dify has one. */
export class UnauthorizedException extends ApiException {
  constructor(message = 'Unauthorized.') {
    super(401, 'unauthorized', message);
  }
}

export class AuthenticationFailedException extends ApiException {
  constructor() {
    super(401, 'authentication_failed', 'Invalid email or password.');
  }
}

export class ForbiddenException extends ApiException {
  constructor(message = 'You do not have permission to do this.') {
    super(403, 'forbidden', message);
  }
}

export class NotFoundException extends ApiException {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

export class TooManyAttemptsException extends ApiException {
  constructor(code: string, message: string, retryAfterSeconds: number) {
    super(429, code, message, { headers: { 'Retry-After': String(Math.max(1, retryAfterSeconds)) } });
  }
}

export class PasswordLoginDisabledException extends ApiException {
  constructor() {
    super(403, 'password_login_disabled', 'Password login is disabled on this server.');
  }
}
