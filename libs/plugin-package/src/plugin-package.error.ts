/**
 * Every way a package can be refused. The codes are stable (the server stores and maps them; 413
 * for `package_too_large`, 400 for the rest of the package's faults); the messages are for people.
 */
export enum PluginPackageErrorCode {
  /** The upload is bigger than `maxPackageBytes` (HTTP 413). */
  PackageTooLarge = 'package_too_large',
  /** More zip entries than `maxEntries`. */
  TooManyEntries = 'too_many_entries',
  /** The entries inflate to more than `maxUnpackedBytes` (counted on the inflated bytes). */
  UnpackedTooLarge = 'unpacked_too_large',
  /** An entry that could escape the root or is not a plain file or directory (symlink, device, duplicate, …). */
  UnsafeEntry = 'unsafe_entry',
  /** An entry encrypted with a password. */
  EncryptedEntry = 'encrypted_entry',
  /** Not a zip, or a zip whose data does not match its own records (sizes, CRC, compression method). */
  CorruptPackage = 'corrupt_package',
  /** No `manifest.yaml` at the package root. */
  ManifestMissing = 'manifest_missing',
  /** `manifest.yaml` is not valid YAML or breaks a rule; the message names the field. */
  ManifestInvalid = 'manifest_invalid',
  /** A file the manifest names (tools, models, endpoints, entrypoint, icon, privacy) is not in the package. */
  MissingFile = 'missing_file',
  /** Verification is required and the package carries no signature. */
  Unsigned = 'unsigned',
  /** The signature is well formed and intact, but no trusted key made it. */
  SignatureUntrusted = 'signature_untrusted',
  /** The signature is malformed or does not match the package's files (tampered after signing). */
  SignatureInvalid = 'signature_invalid',
  /** A key that cannot be used: unreadable PEM, a private key where a public one belongs, RSA under 2048 bits, … */
  KeyInvalid = 'key_invalid',
  /** Packing refused a file that looks like a PEM private key. */
  PrivateKeyInPackage = 'private_key_in_package',
  /** Packing refused the source directory: a symlink leading outside it, a name the package cannot hold, … */
  UnsafeSource = 'unsafe_source',
}

/** What an error is about, when it is about one thing: a manifest field or a path inside the package. */
export interface PluginPackageErrorDetails {
  /** The manifest field (`resource.memory`, `plugins.tools[0]`) or the file (a `.pem` being loaded). */
  field?: string;
  /** The entry or file path inside the package (or the source directory, when packing). */
  path?: string;
  /** Every manifest problem, when there are several. */
  issues?: { field: string; message: string }[];
}

export class PluginPackageError extends Error {
  constructor(
    readonly code: PluginPackageErrorCode,
    message: string,
    readonly details: PluginPackageErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PluginPackageError';
  }
}
