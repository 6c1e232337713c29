/** A usage problem (a missing or wrong argument) the command reports with its usage and exit status 2. */
export class UsageError extends Error {}
