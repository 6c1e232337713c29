// Prices are decimal strings end to end (Dify sends them as strings): binary floats would turn
// 0.1 + 0.2 into 0.30000000000000004 on an invoice. Fixed point over BigInt is exact here.
const SCALE = 12;
const FACTOR = 10n ** BigInt(SCALE);

export function parseDecimal(value: string): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) throw new RangeError(`not a non-negative decimal: ${value}`);
  const fraction = (match[2] ?? '').slice(0, SCALE).padEnd(SCALE, '0');
  return BigInt(match[1]) * FACTOR + BigInt(fraction);
}

/** Rounds half up to `decimals` places and prints without exponent. */
export function formatDecimal(value: bigint, decimals = 7): string {
  const step = 10n ** BigInt(SCALE - decimals);
  const rounded = ((value + step / 2n) / step) * step;
  const whole = rounded / FACTOR;
  const fraction = (rounded % FACTOR).toString().padStart(SCALE, '0').slice(0, decimals);
  return decimals > 0 ? `${whole}.${fraction}` : whole.toString();
}

/** tokens × price-per-1K / 1000. */
export function priceOf(tokens: number, pricePer1k: string): bigint {
  return (BigInt(tokens) * parseDecimal(pricePer1k)) / 1000n;
}
