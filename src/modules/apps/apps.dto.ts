import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { UUID_PATTERN } from '../../common/validation/uuid';
import { appModelConfigSchema } from './app-model-config';
import { APP_MODES, type AppMode } from './app.entity';

/** The modes an app can be created with today; the others arrive with workflows. */
export const SUPPORTED_APP_MODES: readonly AppMode[] = ['chat', 'completion', 'agent-chat'];

/** An empty query parameter (`?mode=&name=`, as Dify's console sends them) counts as an absent one. */
const query = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema);

const page = query(z.coerce.number().int().min(1).max(99_999).default(1));
const limit = query(z.coerce.number().int().min(1).max(100).default(20));
const uuidParam = z.string().regex(UUID_PATTERN, { error: 'must be a UUID' });

const mode = z
  .enum(APP_MODES, { error: `mode must be one of ${APP_MODES.join(', ')}` })
  .refine((m) => SUPPORTED_APP_MODES.includes(m), {
    error: `this mode is not supported yet (supported: ${SUPPORTED_APP_MODES.join(', ')})`,
  });

const name = z.string().trim().min(1).max(255);
/** Null (which Dify's web app may send) means empty; absent means unchanged. */
const description = z
  .string()
  .max(400)
  .nullish()
  .transform((d) => (d === null ? '' : d));
const iconType = z.enum(['emoji', 'image', 'link']);
const icon = z.string().max(255).nullable();
const iconBackground = z.string().max(32).nullable();
/** Requests per minute / concurrent requests; 0 = unlimited, null = the deployment default. */
const limitOverride = z.number().int().min(0).max(1_000_000).nullable();

export class CreateAppDto extends createZodDto(
  z.object({
    name,
    mode,
    description,
    icon_type: iconType.optional(),
    icon: icon.optional(),
    icon_background: iconBackground.optional(),
  }),
) {}

export class UpdateAppDto extends createZodDto(
  z.object({
    name: name.optional(),
    description,
    icon_type: iconType.optional(),
    icon: icon.optional(),
    icon_background: iconBackground.optional(),
    api_rpm: limitOverride.optional(),
    api_max_active_requests: limitOverride.optional(),
  }),
) {}

export class AppListQueryDto extends createZodDto(
  z.object({
    page,
    limit,
    mode: query(
      z.enum([...APP_MODES, 'all'], { error: `mode must be all or one of ${APP_MODES.join(', ')}` }).optional(),
    ),
    name: query(z.string().trim().max(255).optional()),
  }),
) {}

export class ApiEnableDto extends createZodDto(z.object({ enable_api: z.boolean() })) {}

export class ModelConfigDto extends createZodDto(appModelConfigSchema) {}

export class ConversationListQueryDto extends createZodDto(z.object({ page, limit })) {}

export class MessageListQueryDto extends createZodDto(
  z.object({
    conversation_id: query(uuidParam),
    first_id: query(uuidParam.optional()),
    limit,
  }),
) {}
