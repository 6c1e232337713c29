import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { contentDisposition, StorageService } from '@keel/storage';
import { ApiException } from '../../common/errors/api.exception';
import { AppKeyGuard } from '../service-api/app-key.guard';
import { requireUser } from '../service-api/generation.service';
import { CurrentApp, type ServiceCaller } from '../service-api/service-caller';
import { unixSeconds } from '../../common/http/unix-seconds';
import { FilesService } from './files.service';

class PreviewQueryDto extends createZodDto(
  z.object({
    user: z.string().nullish(),
    as_attachment: z
      .enum(['true', 'false', '1', '0'])
      .transform((v) => v === 'true' || v === '1')
      .default(false),
  }),
) {}

const SOURCE_URL_TTL_SECONDS = 60 * 60;
const fileNotFound = () => new ApiException(404, 'not_found', 'File not found.');

@ApiTags('service api')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'Missing or invalid app key (unauthorized)' })
@UseGuards(AppKeyGuard)
@Controller('v1/files')
export class FilesController {
  constructor(
    private readonly files: FilesService,
    private readonly storage: StorageService,
  ) {}

  @Post('upload')
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiOperation({ summary: 'Upload one file (multipart `file` + `user`): images ≤ 10 MB, documents ≤ 15 MB' })
  @ApiResponse({
    status: 201,
    description: '{id, name, size, extension, mime_type, created_by, created_at, preview_url, source_url}',
  })
  @ApiResponse({ status: 400, description: 'no_file_uploaded, too_many_files, invalid_param' })
  @ApiResponse({ status: 413, description: 'file_too_large' })
  @ApiResponse({ status: 415, description: 'unsupported_file_type' })
  async upload(@CurrentApp() caller: ServiceCaller, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { file, endUser } = await this.files.upload(caller.app, req, res);
    return {
      id: file.id,
      name: file.name,
      size: file.size,
      extension: file.extension,
      mime_type: file.mimeType,
      created_by: endUser.id,
      created_at: unixSeconds(file.createdAt),
      preview_url: null,
      source_url: await this.storage.signedUrl(file.storageKey, {
        expiresInSeconds: SOURCE_URL_TTL_SECONDS,
        downloadName: file.name,
      }),
    };
  }

  @Get(':id/preview')
  @ApiOperation({ summary: 'The file’s bytes, for the app and end user that uploaded it' })
  @ApiResponse({ status: 200, description: 'The file' })
  @ApiResponse({ status: 404, description: 'Not this end user’s file' })
  async preview(
    @CurrentApp() caller: ServiceCaller,
    @Param('id') id: string,
    @Query() query: PreviewQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    const file = await this.files.findForUser(caller.app, requireUser(query.user), id);
    if (!file) throw fileNotFound();
    const stream = await this.files.open(file);
    res.status(200).set({
      'Content-Type': file.mimeType,
      'Content-Length': String(file.size),
      'Content-Disposition': contentDisposition(file.name, query.as_attachment ? 'attachment' : 'inline'),
      'X-Content-Type-Options': 'nosniff',
      // Uploaded HTML must never run as this origin's page.
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'private, max-age=3600',
    });
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }
}
