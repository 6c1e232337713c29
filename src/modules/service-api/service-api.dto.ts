import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

// Unknown fields are ignored, never refused (zod drops them): SDKs and integrations send extras.
const fileSchema = z.object({
  type: z.string(),
  transfer_method: z.enum(['remote_url', 'local_file']),
  url: z.string().optional(),
  upload_file_id: z.string().optional(),
});

export type RequestFile = z.infer<typeof fileSchema>;

const common = {
  inputs: z.record(z.string(), z.unknown()).nullable(),
  response_mode: z.enum(['blocking', 'streaming']).nullish(),
  // Checked by hand for Dify's exact message ("Arg user must be provided.").
  user: z.string().nullish(),
  files: z.array(fileSchema).nullish(),
};

export class ChatMessageDto extends createZodDto(
  z.object({
    ...common,
    query: z.string().nullable(),
    conversation_id: z.string().nullish(),
    auto_generate_name: z.boolean().nullish(),
  }),
) {}

export class CompletionMessageDto extends createZodDto(z.object({ ...common, query: z.string().nullish() })) {}

export class StopTaskDto extends createZodDto(z.object({ user: z.string().nullish() })) {}

const limit = (max: number) => z.coerce.number().int().min(1).max(max).default(20);

export class ConversationsQueryDto extends createZodDto(
  z.object({
    user: z.string().nullish(),
    last_id: z.string().nullish(),
    limit: limit(100),
    sort_by: z.enum(['created_at', '-created_at', 'updated_at', '-updated_at']).default('-updated_at'),
  }),
) {}

export class UserBodyDto extends createZodDto(z.object({ user: z.string().nullish() })) {}

export class RenameConversationDto extends createZodDto(
  z.object({ name: z.string().max(255).nullish(), auto_generate: z.boolean().nullish(), user: z.string().nullish() }),
) {}

export class VariablesQueryDto extends createZodDto(
  z.object({
    user: z.string().nullish(),
    last_id: z.string().nullish(),
    limit: limit(100),
    variable_name: z.string().nullish(),
  }),
) {}

export class MessagesQueryDto extends createZodDto(
  z.object({
    user: z.string().nullish(),
    conversation_id: z.string(),
    first_id: z.string().nullish(),
    limit: limit(100),
  }),
) {}

export class FeedbackDto extends createZodDto(
  z.object({
    rating: z.enum(['like', 'dislike']).nullable(),
    user: z.string().nullish(),
    content: z.string().max(10_000).nullish(),
  }),
) {}

export class UserQueryDto extends createZodDto(z.object({ user: z.string().nullish() })) {}

export class PageQueryDto extends createZodDto(
  z.object({ page: z.coerce.number().int().min(1).default(1), limit: limit(101) }),
) {}
