import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class PluginToolCredentialsDto extends createZodDto(
  z.object({ credentials: z.record(z.string(), z.unknown()).describe('Values for credentials_for_provider') }),
) {}

export class PluginToolTestDto extends createZodDto(
  z.object({
    tool_name: z.string().min(1).max(128),
    parameters: z.record(z.string(), z.unknown()).default({}),
  }),
) {}
