import type { Redis } from 'ioredis';
import { CONTRACT, cacheKey, type EpisodeCacheEntry } from 'continuum-contract';
import type { Logger } from '../logger.js';
import type { WrittenRow } from './projection-writer.js';

/** Default TTL of a cache entry; the contract's bound is 300 s (CT-5.cache-ttl). */
export const CACHE_TTL_SECONDS = 60;

/** The cache value of a row: refs, tags and summary only, never a body (CT-5.no-body). */
export function cacheEntryOf(row: WrittenRow): EpisodeCacheEntry {
  return {
    content_ref: row.content_ref,
    ...(row.summary !== null ? { summary: row.summary } : {}),
    tags: row.tags,
    ...(row.embedding_ref !== null ? { embedding_ref: row.embedding_ref } : {}),
    last_event_id: row.last_event_id,
    last_event_ts: row.last_event_ts,
  };
}

/**
 * Writes the episode cache after commit: SET with a short TTL, DEL when the episode is deleted
 * or its entry would exceed the family's size bound.
 */
export class EpisodeCache {
  readonly #maxBytes = CONTRACT.valkey.families.cache.max_value_bytes;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly ttlSeconds = CACHE_TTL_SECONDS,
    /** Bound on one write: the projector holds its episode locks meanwhile, so never wait long. */
    private readonly timeoutMs = 1000,
  ) {
    const max = CONTRACT.valkey.families.cache.ttl_seconds.max;
    if (ttlSeconds < 1 || ttlSeconds > max)
      throw new RangeError(`cache TTL ${ttlSeconds}s outside 1-${max}s`);
  }

  async write(rows: readonly WrittenRow[]): Promise<void> {
    if (rows.length === 0) return;
    const pipe = this.redis.pipeline();
    for (const row of rows) {
      const key = cacheKey(row.tenant_id, row.episode_id, row.agent_id);
      const value = JSON.stringify(cacheEntryOf(row));
      if (row.deleted) pipe.del(key);
      else if (Buffer.byteLength(value) > this.#maxBytes) {
        this.logger.warn(
          { key, bytes: Buffer.byteLength(value) },
          'cache entry over the size bound: not cached',
        );
        pipe.del(key);
      } else pipe.set(key, value, 'EX', this.ttlSeconds);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no Valkey reply after ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    const results = (await Promise.race([pipe.exec(), timeout]).finally(() => clearTimeout(timer))) ?? [];
    const failed = results.find(([err]) => err !== null);
    if (failed?.[0]) throw failed[0];
  }
}
