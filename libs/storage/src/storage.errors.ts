export enum StorageErrorCode {
  InvalidKey = 'invalid_storage_key',
  NotFound = 'storage_object_not_found',
  InvalidSignature = 'invalid_signature',
  Expired = 'signed_url_expired',
  Unsupported = 'storage_operation_unsupported',
}

/** Every failure of the storage extension that callers may handle; the global filter maps them. */
export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}

export function notFound(key: string): StorageError {
  return new StorageError(StorageErrorCode.NotFound, `No object with key ${JSON.stringify(key)}.`);
}
