import { InflatedByteBudget } from './inflated-byte-budget';
import { PluginPackageErrorCode } from './plugin-package.error';

describe('InflatedByteBudget', () => {
  it('counts across entries and refuses the first chunk past the limit', () => {
    const budget = new InflatedByteBudget(10);
    budget.take(6, 'a');
    budget.take(4, 'b');
    expect(budget.total).toBe(10);
    expect(() => budget.take(1, 'c')).toThrow(
      expect.objectContaining({
        code: PluginPackageErrorCode.UnpackedTooLarge,
        message: 'The package inflates to more than 10 bytes (the limit was passed inside "c").',
      }),
    );
  });
});
