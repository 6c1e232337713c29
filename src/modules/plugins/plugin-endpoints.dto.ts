import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class SetupEndpointDto extends createZodDto(
  z.object({
    plugin_unique_identifier: z.string().min(1).max(300),
    name: z.string().trim().min(1).max(255).default('endpoint'),
    settings: z.record(z.string(), z.unknown()).default({}),
  }),
) {}

export class EndpointIdDto extends createZodDto(z.object({ endpoint_id: z.string().min(1).max(64) })) {}
