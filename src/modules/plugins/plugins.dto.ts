import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { PLUGIN_PERMISSION_LEVELS } from './plugin-permission.entity';

const identifier = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[a-z0-9_-]{1,64}\/[a-z0-9_-]{1,128}:[0-9A-Za-z.+-]+@[0-9a-f]{64}$/, {
    error: 'must be a plugin unique identifier author/name:version@checksum',
  });

const pageNumber = z.coerce.number().int().min(1).default(1);
const pageSize = z.coerce.number().int().min(1).max(256).default(100);

export class InstallPackagesDto extends createZodDto(
  z.object({
    plugin_unique_identifiers: z
      .array(identifier)
      .min(1, { error: 'must name at least one package' })
      .max(64)
      .describe('unique_identifier values from upload/pkg'),
  }),
) {}

export class UpgradeDto extends createZodDto(
  z.object({ original_plugin_unique_identifier: identifier, new_plugin_unique_identifier: identifier }),
) {}

export class InstallationDto extends createZodDto(
  z.object({ plugin_installation_id: z.string().min(1).max(64).describe('`installation_id` from plugin/list') }),
) {}

export class ManifestQueryDto extends createZodDto(z.object({ plugin_unique_identifier: identifier })) {}

export class PageQueryDto extends createZodDto(z.object({ page: pageNumber, page_size: pageSize })) {}

const level = z.enum(PLUGIN_PERMISSION_LEVELS, { error: 'must be one of everyone, admins, noone' });

export class ChangePermissionDto extends createZodDto(
  z.object({ install_permission: level, debug_permission: level }),
) {}
