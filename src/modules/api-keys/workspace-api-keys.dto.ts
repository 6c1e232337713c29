import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/** The most apps one allowlist may name; beyond that, a key for every app (null) is the honest choice. */
export const MAX_ALLOWED_APPS = 500;
/** 9999-12-31T23:59:59Z: the last second every supported database stores as a datetime. */
const LATEST_EXPIRY = 253_402_300_799;
/** Same ceiling as the apps' own limit overrides. */
const LIMIT_CEILING = 1_000_000;
const FUTURE = 'must be in the future (Unix seconds)';

/** A positive whole number; null or absent = no key-level limit. */
const positiveLimit = z
  .number()
  .int()
  .min(1, { error: 'must be an integer of at least 1, or null for no limit' })
  .max(LIMIT_CEILING);

export class CreateWorkspaceApiKeyDto extends createZodDto(
  z.object({
    name: z.string().trim().min(1).max(100).describe('What the key is for'),
    // Each id is checked against the workspace by the service (a 400 naming the first stranger).
    app_ids: z
      .array(z.string().min(1).max(64))
      .min(1, { error: 'must name at least one app (null or absent means every app)' })
      .max(MAX_ALLOWED_APPS)
      .nullish()
      .describe('The apps the key may use; null or absent = every app of the workspace'),
    // Checked against the clock when the request is validated.
    expires_at: z
      .number()
      .int()
      .min(1, { error: FUTURE })
      .max(LATEST_EXPIRY)
      .refine((seconds) => seconds * 1000 > Date.now(), { error: FUTURE })
      .nullish()
      .describe('Unix seconds after which the key stops working; null or absent = never'),
    rpm: positiveLimit.nullish().describe('Requests per minute for this key; null or absent = no key-level limit'),
    max_concurrent_requests: positiveLimit
      .nullish()
      .describe('Requests this key may have in flight at once; null or absent = no key-level limit'),
  }),
) {}
