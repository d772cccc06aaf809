import type { Redis } from 'ioredis';
import { parseValkeyKey } from 'continuum-contract';
import { tokensIn } from './dlq-stream-reader.js';
import type { ObservedKey } from './observation.js';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Finds the keys of many runs in one pass over the whole keyspace: a key belongs to a run when the
 * key or its value carries the run's token, or when it lies outside every family and carries one
 * of the run's episode or event ids and no run's token (such as `continuum:seen:{event_id}`).
 */
export class ValkeyScanner {
  constructor(private readonly redis: Redis) {}

  async keysOf(idsByToken: ReadonlyMap<string, string[]>): Promise<Map<string, ObservedKey[]>> {
    const tokens = [...idsByToken.keys()];
    const out = new Map<string, ObservedKey[]>(tokens.map((t) => [t, []]));
    const wanted = new Set(tokens);
    const ownerOfId = new Map<string, string>();
    for (const [token, ids] of idsByToken) for (const id of ids) ownerOfId.set(id.toLowerCase(), token);
    const episodes =
      ownerOfId.size === 0 ? undefined : new RegExp([...ownerOfId.keys()].map(escape).join('|'), 'gi');
    const candidates: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'COUNT', 5000);
      cursor = next;
      for (const key of batch) {
        if (episodes !== undefined) episodes.lastIndex = 0;
        if (
          tokensIn(key).some((t) => wanted.has(t)) ||
          episodes?.test(key) === true ||
          !parseValkeyKey(key).ok
        )
          candidates.push(key);
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
      const text = `${k.key}\n${value ?? ''}`;
      const carried = tokensIn(text);
      let owners = new Set(carried.filter((t) => wanted.has(t)));
      if (carried.length === 0 && episodes !== undefined && !parseValkeyKey(k.key).ok) {
        owners = new Set(
          [...text.matchAll(episodes)].map((m) => ownerOfId.get(m[0].toLowerCase()) as string),
        );
      }
      for (const token of owners) out.get(token)?.push(found);
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
