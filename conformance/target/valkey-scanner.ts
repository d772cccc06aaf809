import type { Redis } from 'ioredis';
import { tokensIn } from './dlq-stream-reader.js';
import type { ObservedKey } from './observation.js';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Finds the keys of many runs in one pass over the keyspace: a key belongs to a run when the key
 * or its value carries the run's token; keys naming one of the runs' episode ids are read too, so
 * a key written without the tenant is still found when its value names the run.
 */
export class ValkeyScanner {
  constructor(private readonly redis: Redis) {}

  async keysOf(tokens: string[], episodeIds: string[]): Promise<Map<string, ObservedKey[]>> {
    const out = new Map<string, ObservedKey[]>(tokens.map((t) => [t, []]));
    const wanted = new Set(tokens);
    const episodes = episodeIds.length === 0 ? undefined : new RegExp(episodeIds.map(escape).join('|'));
    const candidates: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'COUNT', 5000);
      cursor = next;
      for (const key of batch) {
        if (tokensIn(key).some((t) => wanted.has(t)) || episodes?.test(key) === true) candidates.push(key);
      }
    } while (cursor !== '0');
    if (candidates.length === 0) return out;
    const meta = await this.pipeline(
      candidates.flatMap((k) => [
        ['type', k],
        ['pttl', k],
      ]),
    );
    const typed = candidates.map((key, i) => ({
      key,
      type: String(meta[2 * i]),
      pttl: Number(meta[2 * i + 1]),
    }));
    const present = typed.filter((k) => k.type !== 'none');
    const reads: Record<string, string> = { string: 'get', hash: 'hgetall', list: 'lrange', set: 'smembers' };
    const values = await this.pipeline(
      present.map((k) =>
        k.type === 'list' ? ['lrange', k.key, '0', '-1'] : [reads[k.type] ?? 'exists', k.key],
      ),
    );
    present.forEach((k, i) => {
      const raw = values[i];
      const value =
        k.type === 'string' ? (raw as string | null) : k.type in reads ? JSON.stringify(raw) : null;
      const found: ObservedKey = { key: k.key, type: k.type, pttl: k.pttl, value };
      for (const token of new Set(tokensIn(`${k.key} ${value ?? ''}`))) out.get(token)?.push(found);
    });
    for (const keys of out.values()) keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  private async pipeline(commands: string[][]): Promise<unknown[]> {
    const results = (await this.redis.pipeline(commands).exec()) ?? [];
    return results.map(([error, value]) => {
      if (error !== null) throw error;
      return value;
    });
  }
}
