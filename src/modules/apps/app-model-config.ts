import { z } from 'zod';
import { userInputFormSchema } from '../runners/user-input-form';

const feature = z.object({ enabled: z.boolean().default(false) }).default({ enabled: false });

/**
 * An app's model configuration, with Dify's field names. Only `model` is required; everything
 * else has Dify's defaults. Fields Keel does not use (yet) are dropped rather than refused, so
 * configurations exported from Dify load.
 */
export const appModelConfigSchema = z.object({
  model: z.object({
    provider: z.string().trim().min(1).max(64),
    name: z.string().trim().min(1).max(255),
    mode: z.enum(['chat', 'completion']).default('chat'),
    completion_params: z.record(z.string(), z.unknown()).default({}),
  }),
  pre_prompt: z.string().max(200_000).default(''),
  user_input_form: userInputFormSchema.default([]),
  opening_statement: z.string().max(10_000).default(''),
  suggested_questions: z.array(z.string().max(1_000)).max(20).default([]),
  suggested_questions_after_answer: feature,
  speech_to_text: feature,
  text_to_speech: feature,
  retriever_resource: feature,
  more_like_this: feature,
  file_upload: z
    .object({
      image: z
        .object({
          enabled: z.boolean().default(false),
          number_limits: z.number().int().min(1).max(10).default(3),
          detail: z.enum(['high', 'low']).default('high'),
          transfer_methods: z.array(z.enum(['remote_url', 'local_file'])).default(['remote_url', 'local_file']),
        })
        .default({ enabled: false, number_limits: 3, detail: 'high', transfer_methods: ['remote_url', 'local_file'] }),
    })
    .default({
      image: { enabled: false, number_limits: 3, detail: 'high', transfer_methods: ['remote_url', 'local_file'] },
    }),
});

export type AppModelConfig = z.infer<typeof appModelConfigSchema>;
