import { z } from 'zod';

/** Dify's rule: at least 8 characters with letters and digits; symbols allowed. */
export const PASSWORD_RULE = 'Password must be at least 8 characters and contain letters and digits.';

export const passwordSchema = z
  .string()
  .max(128, { error: 'Password must be at most 128 characters.' })
  .refine((v) => v.length >= 8 && /[A-Za-z]/.test(v) && /\d/.test(v), { error: PASSWORD_RULE });
