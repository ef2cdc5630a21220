// A cache is never the source of truth: every value can be recomputed from PostgreSQL.
export interface Cache {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(keys: string[]): Promise<void>;
  /** Deletes every key starting with `prefix` (used for coarse invalidation). */
  delPrefix(prefix: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
