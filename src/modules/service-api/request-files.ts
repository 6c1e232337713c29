import { ApiException } from '../../common/errors/api.exception';
import { InvalidParamException } from '../../common/errors/common.exceptions';
import type { AppModelConfig } from '../apps/app-model-config';
import type { ContentPart } from '../providers/model-provider';
import type { RequestFile } from './service-api.dto';

/**
 * The request's files as the model's image parts. Images only (per the app's `file_upload`
 * settings); anything else is refused before any work starts.
 */
export function imagePartsFrom(config: AppModelConfig, files: RequestFile[] | null | undefined): ContentPart[] {
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
  return files.map((file) => {
    if (!image.transfer_methods.includes(file.transfer_method)) {
      throw new InvalidParamException(
        'files',
        `files: transfer method "${file.transfer_method}" is not enabled for this app.`,
      );
    }
    if (file.transfer_method === 'local_file') {
      throw new InvalidParamException('files', `files: upload_file_id "${file.upload_file_id ?? ''}" not found.`);
    }
    if (!file.url || !/^https?:\/\/\S+$/i.test(file.url)) {
      throw new InvalidParamException('files', 'files: a remote_url file needs an http(s) url.');
    }
    return { type: 'image_url' as const, image_url: { url: file.url, detail: image.detail } };
  });
}
