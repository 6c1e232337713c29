/** How much a package may hold. The server passes the operator's values; anything left out takes the default. */
export interface PackageLimits {
  /** Size of the `.keelpkg` file itself, in bytes (default 50 MiB). Over it: `package_too_large` (HTTP 413). */
  maxPackageBytes: number;
  /** Zip entries, directories included (default 10,000). */
  maxEntries: number;
  /** Inflated bytes of every entry together (default 256 MiB), counted while inflating. */
  maxUnpackedBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_PACKAGE_LIMITS: Readonly<PackageLimits> = Object.freeze({
  maxPackageBytes: 50 * MiB,
  maxEntries: 10_000,
  maxUnpackedBytes: 256 * MiB,
});

/** The defaults with the given values over them; a value that is not a positive integer is a programming error. */
export function resolveLimits(limits: Partial<PackageLimits> = {}): PackageLimits {
  const resolved = { ...DEFAULT_PACKAGE_LIMITS };
  for (const key of Object.keys(DEFAULT_PACKAGE_LIMITS) as (keyof PackageLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`Package limit ${key} must be a positive integer, got ${String(value)}.`);
    }
    resolved[key] = value;
  }
  return resolved;
}
