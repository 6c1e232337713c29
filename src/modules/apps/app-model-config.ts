import { z } from 'zod';
import { userInputFormSchema } from '../runners/user-input-form';

const feature = z.object({ enabled: z.boolean().default(false) }).default({ enabled: false });

/** A tool an agent app may call (Dify's `agent_mode.tools[]` entry). */
export const agentToolSchema = z.object({
  provider_type: z.enum(['builtin', 'api', 'plugin']),
  /** The provider: a built-in or plugin provider's name, an API provider's id (or name). */
  provider_id: z.string().trim().min(1).max(255),
  provider_name: z.string().max(255).optional(),
  tool_name: z.string().trim().min(1).max(255),
  tool_label: z.string().max(255).optional(),
  /** Values of the tool's `form` parameters, set in the app; the model fills the `llm` ones. */
  tool_parameters: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
});

export type AgentToolConfig = z.infer<typeof agentToolSchema>;

const AGENT_MODE_OFF = { enabled: false, strategy: 'function_call' as const, tools: [], max_iteration: 5 };

/**
 * Agent apps: how the model calls tools (`function_call`: the provider's native tool calls;
 * `react`: Thought/Action/Observation text for models without them), which tools, and how many
 * rounds of tool calls a turn may take before the model must answer.
 */
const agentMode = z
  .object({
    enabled: z.boolean().default(false),
    strategy: z.enum(['function_call', 'react']).default('function_call'),
    tools: z.array(agentToolSchema).max(50).default([]),
    max_iteration: z.number().int().min(1).max(50).default(5),
  })
  .default(AGENT_MODE_OFF);

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
  agent_mode: agentMode,
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
