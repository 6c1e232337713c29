import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class SaveCredentialsDto extends createZodDto(z.object({ credentials: z.record(z.string(), z.unknown()) })) {}
