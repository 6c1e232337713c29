import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { accountNameSchema, emailSchema } from '../auth/auth.dto';
import { passwordSchema } from '../auth/password.policy';
import { ASSIGNABLE_ROLES } from './workspace-role';

const role = z.enum(ASSIGNABLE_ROLES, { error: `role must be one of ${ASSIGNABLE_ROLES.join(', ')}` });

export class AccountNameDto extends createZodDto(z.object({ name: accountNameSchema })) {}

export class ChangePasswordDto extends createZodDto(
  z.object({
    password: z.string().max(128).optional(),
    new_password: passwordSchema,
    repeat_new_password: z.string().max(128),
  }),
) {}

export class WorkspaceNameDto extends createZodDto(z.object({ name: z.string().trim().min(1).max(255) })) {}

export class SwitchWorkspaceDto extends createZodDto(z.object({ tenant_id: z.string().trim().min(1).max(64) })) {}

export class InviteMembersDto extends createZodDto(
  z.object({ emails: z.array(emailSchema).min(1).max(100), role, language: z.string().max(16).optional() }),
) {}

export class UpdateRoleDto extends createZodDto(z.object({ role })) {}

export class OwnerTransferDto extends createZodDto(z.object({ password: z.string().min(1).max(128) })) {}

export class ActivateCheckQueryDto extends createZodDto(
  z.object({
    workspace_id: z.string().max(64).optional(),
    email: z.string().max(255).optional(),
    token: z.string().min(1).max(256),
  }),
) {}

export class ActivateDto extends createZodDto(
  z.object({
    workspace_id: z.string().max(64).optional(),
    email: emailSchema.optional(),
    token: z.string().min(1).max(256),
    name: accountNameSchema,
    password: passwordSchema,
    interface_language: z.string().max(16).optional(),
    timezone: z.string().max(64).optional(),
  }),
) {}
