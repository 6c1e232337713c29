import type { ModelPricing } from '../providers/model-provider';
import { formatDecimal, priceOf } from './decimal';

/** Dify's `metadata.usage`. */
export interface DifyUsage {
  prompt_tokens: number;
  prompt_unit_price: string;
  prompt_price_unit: string;
  prompt_price: string;
  completion_tokens: number;
  completion_unit_price: string;
  completion_price_unit: string;
  completion_price: string;
  total_tokens: number;
  total_price: string;
  currency: string;
  /** Seconds, as a float. */
  latency: number;
}

// Dify's prices are per unit × price_unit: a per-1K price with unit 0.001.
const PRICE_UNIT = '0.001';

export function usageOf(
  promptTokens: number,
  completionTokens: number,
  pricing: ModelPricing,
  latencyMs: number,
): DifyUsage {
  const prompt = priceOf(promptTokens, pricing.inputPrice);
  const completion = priceOf(completionTokens, pricing.outputPrice);
  return {
    prompt_tokens: promptTokens,
    prompt_unit_price: pricing.inputPrice,
    prompt_price_unit: PRICE_UNIT,
    prompt_price: formatDecimal(prompt),
    completion_tokens: completionTokens,
    completion_unit_price: pricing.outputPrice,
    completion_price_unit: PRICE_UNIT,
    completion_price: formatDecimal(completion),
    total_tokens: promptTokens + completionTokens,
    total_price: formatDecimal(prompt + completion),
    currency: pricing.currency,
    latency: Math.round(latencyMs) / 1000,
  };
}
