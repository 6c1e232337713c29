import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import multer, { MulterError } from 'multer';
import type { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { StorageService } from '@keel/storage';
import { ApiException } from '../../common/errors/api.exception';
import { isUuid } from '../../common/validation/uuid';
import type { App } from '../apps/app.entity';
import type { EndUser } from '../conversations/end-user.entity';
import { EndUsersService } from '../conversations/end-users.service';
import { extensionOf, fileTypeOf, MAX_UPLOAD_BYTES, SIZE_LIMITS } from './file-types';
import { UploadFile } from './upload-file.entity';

const tooLarge = (limit: number) =>
  new ApiException(413, 'file_too_large', `File size exceeded. ${Math.round(limit / 1024 / 1024)} MB is the limit.`);
const tooMany = () => new ApiException(400, 'too_many_files', 'Only one file is allowed.');

// One file part, bounded in memory by the largest limit (+1 byte to tell "at" from "over").
const parseMultipart = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_UPLOAD_BYTES + 1, files: 1, fields: 10, fieldSize: 64 * 1024 },
}).any();

/**
 * Service API uploads: one file per request, stored under the workspace in object storage, and
 * readable afterwards only by the app and end user that uploaded it.
 */
@Injectable()
export class FilesService {
  constructor(
    private readonly storage: StorageService,
    private readonly endUsers: EndUsersService,
    @InjectRepository(UploadFile) private readonly files: Repository<UploadFile>,
  ) {}

  /** Reads the multipart body (file + `user`), checks it, stores it; nothing is kept on refusal. */
  async upload(app: App, req: Request, res: Response): Promise<{ file: UploadFile; endUser: EndUser }> {
    await new Promise<void>((resolve, reject) =>
      parseMultipart(req, res, (error: unknown) => (error ? reject(multipartError(error)) : resolve())),
    );
    const parts = (req.files ?? []) as Express.Multer.File[];
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = typeof body.user === 'string' ? body.user.trim() : '';
    if (parts.length === 0) throw new ApiException(400, 'no_file_uploaded', 'Please upload your file.');
    if (parts.length > 1 || parts[0].fieldname !== 'file') throw tooMany();
    if (!user) throw new ApiException(400, 'invalid_param', 'Arg user must be provided.');
    const part = parts[0];
    const name = Buffer.from(part.originalname, 'latin1').toString('utf8').slice(0, 255);
    const extension = extensionOf(name);
    const type = fileTypeOf(extension);
    if (!type) throw new ApiException(415, 'unsupported_file_type', `File type ".${extension}" is not supported.`);
    if (part.size > SIZE_LIMITS[type.kind]) throw tooLarge(SIZE_LIMITS[type.kind]);

    const endUser = await this.endUsers.findOrCreate(app, user);
    const id = randomUUID();
    const file: UploadFile = {
      id,
      workspaceId: app.workspaceId,
      appId: app.id,
      endUserId: endUser.id,
      name,
      size: part.size,
      extension,
      mimeType: type.mime,
      storageKey: `upload_files/${app.workspaceId}/${id}.${extension}`,
      createdAt: new Date(),
    };
    await this.storage.put(file.storageKey, part.buffer, { contentType: file.mimeType });
    try {
      await this.files.insert(file as QueryDeepPartialEntity<UploadFile>);
    } catch (error) {
      await this.storage.delete(file.storageKey).catch(() => undefined);
      throw error;
    }
    return { file, endUser };
  }

  /**
   * A file a tool produced during an end user's turn, stored like an upload of theirs so that
   * `GET /v1/files/:id/preview` serves it to them.
   */
  async storeToolFile(
    owner: { workspaceId: string; appId: string; endUserId: string },
    bytes: Buffer,
    mimeType: string,
    filename: string | undefined,
  ): Promise<UploadFile> {
    const id = randomUUID();
    const extension =
      (filename ? extensionOf(filename) : '') ||
      mimeType
        .split('/')[1]
        ?.replace(/[^a-z0-9]/gi, '')
        .slice(0, 16) ||
      'bin';
    const file: UploadFile = {
      ...owner,
      id,
      name: (filename ?? `tool-file.${extension}`).slice(0, 255),
      size: bytes.length,
      extension,
      mimeType: mimeType.slice(0, 127),
      storageKey: `tool_files/${owner.workspaceId}/${id}.${extension}`,
      createdAt: new Date(),
    };
    await this.storage.put(file.storageKey, bytes, { contentType: file.mimeType });
    try {
      await this.files.insert(file as QueryDeepPartialEntity<UploadFile>);
    } catch (error) {
      await this.storage.delete(file.storageKey).catch(() => undefined);
      throw error;
    }
    return file;
  }

  /** The end user's own upload in this app, or null. */
  async find(app: App, endUser: EndUser, id: string): Promise<UploadFile | null> {
    if (!isUuid(id)) return null;
    return this.files.findOneBy({ id, appId: app.id, endUserId: endUser.id });
  }

  async findForUser(app: App, user: string, id: string): Promise<UploadFile | null> {
    const endUser = await this.endUsers.find(app, user);
    return endUser ? this.find(app, endUser, id) : null;
  }

  async open(file: UploadFile): Promise<Readable> {
    return (await this.storage.get(file.storageKey)).stream;
  }

  async bytes(file: UploadFile): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.open(file)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}

function multipartError(error: unknown): Error {
  if (error instanceof MulterError) {
    if (error.code === 'LIMIT_FILE_SIZE') return tooLarge(MAX_UPLOAD_BYTES);
    if (error.code === 'LIMIT_FILE_COUNT') return tooMany();
    return new ApiException(400, 'invalid_param', `Malformed upload: ${error.message}`);
  }
  if (error instanceof Error && /multipart|boundary/i.test(error.message)) {
    return new ApiException(400, 'no_file_uploaded', 'Please upload your file (multipart/form-data).');
  }
  return error instanceof Error ? error : new Error(String(error));
}
