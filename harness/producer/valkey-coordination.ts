import { Redis } from 'ioredis';
import { presenceKey, rateLimitKey } from './contract.js';
import type { Logger } from '../logger.js';

/** Presence TTL (the family allows 1-300 s) and heartbeat period; the rate-limit window. */
export const PRESENCE_TTL_S = 60;
export const HEARTBEAT_MS = 20_000;
export const RATE_WINDOW_S = 60;

/**
 * The producer's only Valkey state (CT-5.families): a presence key per tenant/agent it exports for,
 * refreshed by heartbeat with a TTL, and a publish counter per tenant/agent in the rate_limit family
 * with an EXPIRE window. Valkey is coordination only: its failures are logged, never block export.
 */
export class ValkeyCoordination {
  private readonly redis: Redis;
  private readonly agents = new Map<string, [string, string]>();
  private readonly pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  errors = 0;

  constructor(
    url: string,
    private readonly logger: Logger,
    private readonly instance = `pid-${process.pid}`,
  ) {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: true });
    this.redis.on('error', (err: Error) => this.logger.debug({ err: err.message }, 'valkey error'));
  }

  start(): void {
    this.timer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    this.flushTimer = setInterval(() => void this.flush(), 1000);
  }

  /** Counts one acknowledged publish; counters are flushed once a second in one pipeline. */
  countPublish(tenantId: string, agentId: string): void {
    const id = `${tenantId}\u0000${agentId}`;
    if (!this.agents.has(id)) {
      this.agents.set(id, [tenantId, agentId]);
      void this.heartbeat([[tenantId, agentId]]);
    }
    this.pending.set(id, (this.pending.get(id) ?? 0) + 1);
  }

  /** Writes presence for the given agents (all known ones by default). */
  async heartbeat(agents: Iterable<[string, string]> = this.agents.values()): Promise<void> {
    const value = JSON.stringify({ role: 'producer', instance: this.instance, at: new Date().toISOString() });
    const pipe = this.redis.pipeline();
    for (const [t, a] of agents) pipe.set(presenceKey(t, a, 'producer'), value, 'EX', PRESENCE_TTL_S);
    await this.exec(pipe);
  }

  /** Pushes pending publish counts: INCRBY then EXPIRE NX, so a window starts at its first count. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const pipe = this.redis.pipeline();
    for (const [id, n] of this.pending) {
      const [t, a] = this.agents.get(id)!;
      const key = rateLimitKey(t, a, 'publish');
      pipe.incrby(key, n);
      pipe.expire(key, RATE_WINDOW_S, 'NX');
    }
    this.pending.clear();
    await this.exec(pipe);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.flushTimer);
    await this.flush();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async exec(pipe: ReturnType<Redis['pipeline']>): Promise<void> {
    try {
      const results = (await pipe.exec()) ?? [];
      for (const [err] of results) if (err) this.errors++;
    } catch (error) {
      this.errors++;
      this.logger.warn({ err: String(error) }, 'valkey write failed');
    }
  }
}
