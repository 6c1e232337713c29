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
