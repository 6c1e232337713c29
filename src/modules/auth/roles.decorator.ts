import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import type { RequiredRole } from '../workspaces/workspace-role';
import { REQUIRED_ROLE, RolesGuard } from './roles.guard';

const WHO: Record<RequiredRole, string> = {
  owner: 'the owner',
  admin: 'owners and admins',
  editor: 'owners, admins and editors',
};

/**
 * The role a console route needs in the caller's current workspace: `owner`, `admin`
 * (owner or admin) or `editor` (owner, admin or editor).
 */
export const Roles = (role: RequiredRole) =>
  applyDecorators(
    SetMetadata(REQUIRED_ROLE, role),
    UseGuards(RolesGuard),
    ApiForbiddenResponse({ description: `Only ${WHO[role]} may do this (code forbidden)` }),
  );
