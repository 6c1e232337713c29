import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';
import type { VerificationResult } from './plugin-package.types';

export interface SignaturePolicy {
  /** The operator's "force verification": only packages a trusted key signed are accepted. */
  requireTrustedSignature: boolean;
}

/**
 * Turns a verification result into a refusal, or nothing. An `invalid` signature is refused
 * whatever the policy: a signature that does not match is evidence of a modified package, never
 * something to install with a warning. `unsigned` and `untrusted` are refused when verification is
 * required.
 */
export function assertSignatureAccepted(result: VerificationResult, policy: SignaturePolicy): void {
  switch (result.status) {
    case 'verified':
      return;
    case 'invalid':
      throw new PluginPackageError(
        PluginPackageErrorCode.SignatureInvalid,
        `The package's signature is invalid: ${result.reason ?? 'it does not match'}.`,
      );
    case 'unsigned':
      if (!policy.requireTrustedSignature) return;
      throw new PluginPackageError(
        PluginPackageErrorCode.Unsigned,
        'The package is not signed, and this server only installs packages signed by a trusted key.',
      );
    case 'untrusted':
      if (!policy.requireTrustedSignature) return;
      throw new PluginPackageError(
        PluginPackageErrorCode.SignatureUntrusted,
        `The package is not signed by a trusted key${result.key_fingerprint ? ` (signed by ${result.key_fingerprint})` : ''}, and this server only installs packages signed by a trusted key.`,
      );
  }
}
