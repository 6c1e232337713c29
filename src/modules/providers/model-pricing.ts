import { z } from 'zod';
import type { ProviderModel } from './model-provider';

const price = z
  .union([z.string(), z.number()])
  .transform(String)
  .refine((v) => /^\d+(\.\d+)?$/.test(v), { error: 'must be a non-negative decimal, e.g. 0.002' });

/** A model entry in provider credentials: a name, and optionally its per-1K-token prices. */
export const modelEntrySchema = z.object({
  model: z.string().trim().min(1),
  input_price: price.optional(),
  output_price: price.optional(),
  currency: z.string().trim().min(3).max(3).toUpperCase().optional(),
});

export type ModelEntry = z.infer<typeof modelEntrySchema>;

export function toProviderModel(model: string, entry?: ModelEntry): ProviderModel {
  return {
    model,
    mode: 'chat',
    inputPrice: entry?.input_price ?? '0',
    outputPrice: entry?.output_price ?? '0',
    currency: entry?.currency ?? 'USD',
  };
}

/** The prices configured for `model` in a provider's credentials (`models[]`), else zero. */
export function pricingOf(credentials: Record<string, unknown>, model: string): ProviderModel {
  const entries = Array.isArray(credentials.models) ? (credentials.models as ModelEntry[]) : [];
  return toProviderModel(
    model,
    entries.find((e) => e.model === model),
  );
}
