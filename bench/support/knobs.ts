/** The knobs every streaming benchmark reads from the environment, with their defaults. */
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
export const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 4_000);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
export const WARMUP_MS = 1_000;
/** Which databases Keel is measured on, e.g. `sqlite` alone when no PostgreSQL is at hand. */
export const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',');
/** e.g. `--cpu-prof` to profile Keel under the load (the profile lands in KEEL_CWD). */
export const KEEL_NODE_ARGS = (process.env.BENCH_KEEL_NODE_ARGS ?? '').split(' ').filter(Boolean);
export const KEEL_CWD = process.env.BENCH_KEEL_CWD;
