import { jetstreamManager } from '@nats-io/jetstream';
import { Redis } from 'ioredis';
import pg from 'pg';
import { connectNats, type NatsConnectOptions } from './connect-nats.js';

/** One readiness attempt: resolves when the service answers, rejects otherwise. */
export type Probe = () => Promise<void>;

/** NATS answers a connect; with `jetstream`, its JetStream API answers too. */
export function natsProbe(url: string, connectOptions: NatsConnectOptions, jetstream: boolean): Probe {
  return async () => {
    const nc = await connectNats(url, {
      ...connectOptions,
      timeoutMs: 2000,
      connection: { ...connectOptions.connection, reconnect: false },
    });
    try {
      if (jetstream) await (await jetstreamManager(nc, { timeout: 2000 })).getAccountInfo();
      else await nc.flush();
    } finally {
      await nc.close();
    }
  };
}

/** PostgreSQL accepts a connection and runs `SELECT 1`. */
export function postgresProbe(url: string): Probe {
  return async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => {});
    }
  };
}

/** Valkey (or Redis) answers PING. */
export function valkeyProbe(url: string): Probe {
  return async () => {
    const redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout: 2000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    redis.on('error', () => {});
    try {
      await redis.connect();
      await redis.ping();
    } finally {
      redis.disconnect();
    }
  };
}
