import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});

const message = z.object({
  // `developer` is OpenAI's newer name for `system`; tool messages need agent apps (not served here).
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, imagePart]))]).nullish(),
  name: z.string().optional(),
});

// Unknown fields are ignored (zod drops them): OpenAI clients send many this face does not use.
export const chatCompletionSchema = z.object({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  seed: z.number().int().nullish(),
  n: z.number().int().nullish(),
  user: z.string().max(255).nullish(),
  /** Keel's extension: values for the app's input variables (OpenAI SDKs send it as an extra body field). */
  inputs: z.record(z.string(), z.unknown()).nullish(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionSchema>;

export class ChatCompletionDto extends createZodDto(chatCompletionSchema) {}

/** The request's model parameters that override the app's `completion_params`. */
export const PARAM_FIELDS = [
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'presence_penalty',
  'frequency_penalty',
  'seed',
] as const;
