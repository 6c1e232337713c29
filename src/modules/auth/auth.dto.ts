import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { passwordSchema } from './password.policy';

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(255)
  .pipe(z.email({ error: 'Invalid email address.' }));
export const accountNameSchema = z.string().trim().min(1).max(30, { error: 'Name must be at most 30 characters.' });

export class SetupDto extends createZodDto(
  z.object({
    email: emailSchema,
    name: accountNameSchema,
    password: passwordSchema,
    language: z.string().max(16).optional(),
  }),
) {}

export class InitDto extends createZodDto(z.object({ password: z.string().min(1).max(30) })) {}

export class LoginDto extends createZodDto(
  z.object({
    email: emailSchema,
    // Not the policy: an old password that predates it must still work.
    password: z.string().min(1).max(128),
    remember_me: z.boolean().optional(),
    language: z.string().max(16).optional(),
  }),
) {}

export class RefreshTokenDto extends createZodDto(z.object({ refresh_token: z.string().min(1).max(256) })) {}

export class LogoutDto extends createZodDto(z.object({ refresh_token: z.string().min(1).max(256).optional() })) {}

export class ForgotPasswordDto extends createZodDto(
  z.object({ email: emailSchema, language: z.string().max(16).optional() }),
) {}

export class ForgotPasswordCheckDto extends createZodDto(
  z.object({ email: emailSchema, code: z.string().trim().min(1).max(16), token: z.string().min(1).max(256) }),
) {}

export class ForgotPasswordResetDto extends createZodDto(
  z.object({ token: z.string().min(1).max(256), new_password: passwordSchema, password_confirm: z.string().max(128) }),
) {}
