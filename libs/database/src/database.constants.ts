/** The `DatabaseDriver` built from the module options (backend name, dialect-specific sessions). */
export const DATABASE_DRIVER = Symbol('DATABASE_DRIVER');
