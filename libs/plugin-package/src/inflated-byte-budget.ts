import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';

/**
 * Counts the bytes that actually come out of the inflater, across every entry, and stops the read
 * on the first chunk past the limit. The declared sizes are checked too (a cheap early refusal),
 * but a zip can lie about them; this count cannot be lied to.
 */
export class InflatedByteBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get total(): number {
    return this.used;
  }

  take(bytes: number, path: string): void {
    this.used += bytes;
    if (this.used > this.limit) {
      throw new PluginPackageError(
        PluginPackageErrorCode.UnpackedTooLarge,
        `The package inflates to more than ${this.limit} bytes (the limit was passed inside ${JSON.stringify(path)}).`,
        { path },
      );
    }
  }
}
