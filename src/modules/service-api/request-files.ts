import { ApiException } from '../../common/errors/api.exception';
import { InvalidParamException } from '../../common/errors/common.exceptions';
import type { AppModelConfig } from '../apps/app-model-config';
import type { ContentPart } from '../providers/model-provider';
import type { RequestFile } from './service-api.dto';

/** An uploaded file's type and bytes, if the caller may use it. */
export type UploadLookup = (uploadFileId: string) => Promise<{ mimeType: string; bytes: Buffer } | null>;

/**
 * The request's files as the model's image parts. Images only (per the app's `file_upload`
 * settings); anything else is refused before any work starts. Uploaded images travel as data URLs:
 * the model provider cannot reach Keel's storage.
 */
export async function imagePartsFrom(
  config: AppModelConfig,
  files: RequestFile[] | null | undefined,
  lookup: UploadLookup,
): Promise<ContentPart[]> {
  if (!files?.length) return [];
  const image = config.file_upload.image;
  const unsupported = files.find((f) => f.type !== 'image');
  if (unsupported) {
    throw new ApiException(
      415,
      'unsupported_file_type',
      `File type "${unsupported.type}" is not supported by this app.`,
    );
  }
  if (!image.enabled) throw new InvalidParamException('files', 'files: image upload is not enabled for this app.');
  if (files.length > image.number_limits) {
    throw new ApiException(400, 'too_many_files', `Only ${image.number_limits} files are allowed per message.`);
  }
  const parts: ContentPart[] = [];
  for (const file of files) {
    if (!image.transfer_methods.includes(file.transfer_method)) {
      throw new InvalidParamException(
        'files',
        `files: transfer method "${file.transfer_method}" is not enabled for this app.`,
      );
    }
    parts.push({ type: 'image_url', image_url: { url: await imageUrlOf(file, lookup), detail: image.detail } });
  }
  return parts;
}

async function imageUrlOf(file: RequestFile, lookup: UploadLookup): Promise<string> {
  if (file.transfer_method === 'remote_url') {
    if (!file.url || !/^https?:\/\/\S+$/i.test(file.url)) {
      throw new InvalidParamException('files', 'files: a remote_url file needs an http(s) url.');
    }
    return file.url;
  }
  const upload = file.upload_file_id ? await lookup(file.upload_file_id) : null;
  if (!upload)
    throw new InvalidParamException('files', `files: upload_file_id "${file.upload_file_id ?? ''}" not found.`);
  if (!upload.mimeType.startsWith('image/')) {
    throw new ApiException(415, 'unsupported_file_type', `Uploaded file "${file.upload_file_id}" is not an image.`);
  }
  return `data:${upload.mimeType};base64,${upload.bytes.toString('base64')}`;
}
