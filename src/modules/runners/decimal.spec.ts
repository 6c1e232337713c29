import { formatDecimal, parseDecimal, priceOf } from './decimal';
import { usageOf } from './usage';

describe('decimal prices', () => {
  it('multiplies tokens by per-1K prices exactly and rounds to 7 places', () => {
    expect(formatDecimal(priceOf(1234, '0.002'))).toBe('0.0024680');
    expect(formatDecimal(priceOf(1, '0.0000001'))).toBe('0.0000000');
    expect(formatDecimal(priceOf(5, '0.00001'))).toBe('0.0000001'); // 0.00000005 rounds half up
    expect(formatDecimal(parseDecimal('0.1') + parseDecimal('0.2'))).toBe('0.3000000');
    expect(() => parseDecimal('-1')).toThrow(RangeError);
  });

  it('builds Dify’s usage block', () => {
    expect(usageOf(100, 50, { inputPrice: '0.5', outputPrice: '1.5', currency: 'EUR' }, 1234.4)).toEqual({
      prompt_tokens: 100,
      prompt_unit_price: '0.5',
      prompt_price_unit: '0.001',
      prompt_price: '0.0500000',
      completion_tokens: 50,
      completion_unit_price: '1.5',
      completion_price_unit: '0.001',
      completion_price: '0.0750000',
      total_tokens: 150,
      total_price: '0.1250000',
      currency: 'EUR',
      latency: 1.234,
    });
  });
});
