import { PluginPackageError, PluginPackageErrorCode } from '@keel/plugin-package';
import { ApiException } from '../../common/errors/api.exception';

/**
 * A refused package as the console sees it: the library's stable code, 413 for a package over the
 * size limit and 400 for every other fault of the package itself.
 */
export function packageRefusal(error: PluginPackageError): ApiException {
  const status = error.code === PluginPackageErrorCode.PackageTooLarge ? 413 : 400;
  return new ApiException(status, error.code, error.message, { cause: error });
}

/** Maps the library's refusals; anything else is not the package's fault and goes on as it is. */
export function asPackageRefusal(error: unknown): unknown {
  return error instanceof PluginPackageError ? packageRefusal(error) : error;
}
