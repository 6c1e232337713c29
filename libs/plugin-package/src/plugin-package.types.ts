import type { PluginManifest } from './plugin-manifest.schema';

/** One file of a package: its path inside the package, its bytes, and their SHA-256 (hex). */
export interface PackageFile {
  path: string;
  bytes: Buffer;
  sha256: string;
}

/** A package that passed every check: safe entries, within the limits, a valid manifest, every named file present. */
export interface PluginPackage {
  manifest: PluginManifest;
  /** The files in the zip's central-directory order (Dify's walk order); directory entries are left out. */
  files: PackageFile[];
  /** SHA-256 (hex) over the files' paths and contents; see package-identity.ts for the exact bytes. */
  checksum: string;
  /** `author/name:version@checksum`. */
  uniqueIdentifier: string;
  /** `author/name`. */
  pluginId: string;
  /** The zip comment (the signature JSON when signed), '' when there is none. */
  comment: string;
  /** Size of the zip itself. */
  packageBytes: number;
  /** Inflated size of every file together. */
  unpackedBytes: number;
}

export type SignatureAlgorithm = 'rsa-sha256' | 'ed25519';

/**
 * What the server stores and shows about a package's signature:
 * - `verified`: a trusted key signed exactly these files;
 * - `unsigned`: no signature in the zip comment;
 * - `untrusted`: a well-formed signature that no trusted key made (intact as far as can be told);
 * - `invalid`: a malformed signature, or one that does not match the files (tampered after signing).
 */
export interface VerificationResult {
  status: 'verified' | 'unsigned' | 'untrusted' | 'invalid';
  /** SHA-256 (hex) of the signing key's SPKI DER, when the signing key is known. */
  key_fingerprint?: string;
  algorithm?: SignatureAlgorithm;
  /** When the package was signed (the signed `time`), RFC 3339. */
  signed_at?: string;
  /** Why it is not `verified`, for the console and the logs. */
  reason?: string;
}
