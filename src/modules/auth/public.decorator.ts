import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'keel:console-public';

/** A console route anyone may call; every other `/console/api` route needs a valid access token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
