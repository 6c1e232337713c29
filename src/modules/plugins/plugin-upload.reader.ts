import type { Request, Response } from 'express';
import multer, { MulterError } from 'multer';
import { PluginPackageErrorCode } from '@keel/plugin-package';
import { ApiException } from '../../common/errors/api.exception';

const tooLarge = (limit: number) =>
  new ApiException(
    413,
    PluginPackageErrorCode.PackageTooLarge,
    `The package is larger than ${limit} bytes (PLUGIN_MAX_PACKAGE_SIZE).`,
  );
const noPackage = () =>
  new ApiException(400, 'no_file_uploaded', 'Send the package as the multipart/form-data field "pkg".');

/**
 * The `pkg` part of an `upload/pkg` request, held in memory and cut off one byte past the limit
 * (so "at the limit" passes and "over" is a 413 without reading the rest).
 */
export async function readUploadedPackage(req: Request, res: Response, maxBytes: number): Promise<Buffer> {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes + 1, files: 1, fields: 10, fieldSize: 64 * 1024 },
  }).any();
  await new Promise<void>((resolve, reject) =>
    parse(req, res, (error: unknown) => (error ? reject(uploadError(error, maxBytes)) : resolve())),
  );
  const parts = (req.files ?? []) as Express.Multer.File[];
  const part = parts.find((p) => p.fieldname === 'pkg');
  if (!part) throw noPackage();
  if (part.size > maxBytes) throw tooLarge(maxBytes);
  return part.buffer;
}

function uploadError(error: unknown, maxBytes: number): Error {
  if (error instanceof MulterError) {
    if (error.code === 'LIMIT_FILE_SIZE') return tooLarge(maxBytes);
    if (error.code === 'LIMIT_FILE_COUNT') {
      return new ApiException(400, 'too_many_files', 'Upload one package per request.');
    }
    return new ApiException(400, 'invalid_param', `Malformed upload: ${error.message}`);
  }
  if (error instanceof Error && /multipart|boundary/i.test(error.message)) return noPackage();
  return error instanceof Error ? error : new Error(String(error));
}
