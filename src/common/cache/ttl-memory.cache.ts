/**
 * A small in-process map whose entries expire `ttlMs` after they were set, and which starts over
 * when it reaches `maxEntries` rather than growing without bound (a flood of distinct keys costs a
 * few cold lookups, never memory).
 *
 * It is deliberately not `@keel/cache`: that one may live in Redis, is asynchronous and
 * serialises values, whereas the callers here (API-key lookups on every /v1 request) want a
 * synchronous read of live entity objects. Other replicas see a change once their entry expires,
 * so `ttlMs` is also how stale another replica may be.
 */
export class TtlMemoryCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires > Date.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
  }

  /** Drops every entry whose value matches (a linear scan: changes are rare, reads are not). */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, { value }] of this.entries) if (matches(value)) this.entries.delete(key);
  }
}
