/**
 * Every TypeORM entity of the application. Listed explicitly (not globbed) so the webpack bundle,
 * the migration CLI and the tests see the same schema. Features append their entities here.
 */
export const ENTITIES: Function[] = [];
