import { existsSync } from 'node:fs';
import net from 'node:net';
import { jetstreamManager, jetstream } from '@nats-io/jetstream';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT } from 'continuum-contract';
import { provision } from '../../harness/provision.js';
import { connectNats, startServices, type Services } from '../../harness/services/index.js';
import { streamConfig, streamDifferences } from '../../harness/services/ensure-streams.js';

function portOf(url: string): number {
  return Number(new URL(url).port);
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function pgQuery<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

// One set of servers started from binaries for the whole file (initdb once).
describe('services started from binaries', () => {
  let services: Services;

  beforeAll(async () => {
    services = await startServices({ env: { PATH: process.env.PATH } });
  });
  afterAll(async () => {
    await services.stop();
  });

  it('starts all three from binaries on loopback ports and they answer', async () => {
    expect(services.origin).toEqual({ nats: 'binary', pg: 'binary', valkey: 'binary' });
    expect(Object.keys(services.pids).sort()).toEqual(['nats', 'pg', 'valkey']);
    const nc = await connectNats(services.natsUrl);
    const account = await (await jetstreamManager(nc)).getAccountInfo();
    expect(account.limits).toBeDefined();
    await nc.close();
    expect(await pgQuery<{ one: number }>(services.pgUrl, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    const redis = new Redis(services.valkeyUrl);
    expect(await redis.ping()).toBe('PONG');
    redis.disconnect();
  });

  it('provisions the contract streams and tables; twice, and two at once, are harmless', async () => {
    const first = await provision(services);
    expect(first.streams.map((s) => s.action)).toEqual(['created', 'created']);
    expect(first.tables.every((t) => t.action === 'created')).toBe(true);
    const again = await Promise.all([provision(services), provision(services)]);
    for (const report of again) {
      expect(report.streams.map((s) => s.action)).toEqual(['unchanged', 'unchanged']);
      expect(report.tables.every((t) => t.action === 'found')).toBe(true);
    }
    const nc = await connectNats(services.natsUrl);
    const jsm = await jetstreamManager(nc);
    for (const spec of Object.values(CONTRACT.streams)) {
      const info = await jsm.streams.info(spec.name);
      expect(streamDifferences(streamConfig(spec), info.config)).toEqual([]);
      expect(info.config.subjects).toEqual(spec.subjects);
      expect(info.config.max_msg_size).toBe(spec.max_msg_size);
      expect(info.config.duplicate_window).toBe(spec.duplicate_window_ms * 1_000_000);
    }
    await nc.close();
    const audit = await pgQuery<{ action: string; outcome: string; n: string }>(
      services.pgUrl,
      'SELECT action, outcome, count(*) AS n FROM arqonbus_continuum_audit GROUP BY 1, 2',
    );
    expect(audit).toEqual([{ action: 'provision', outcome: 'ok', n: '3' }]);
  });

  it('brings a drifted stream back to the contract config', async () => {
    const nc = await connectNats(services.natsUrl);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.update(CONTRACT.streams.episodes.name, { max_age: 3_600_000_000_000 });
    const report = await provision(services);
    expect(report.streams).toContainEqual({ name: CONTRACT.streams.episodes.name, action: 'updated' });
    const info = await jsm.streams.info(CONTRACT.streams.episodes.name);
    expect(info.config.max_age).toBe(CONTRACT.streams.episodes.max_age_ms * 1_000_000);
    await nc.close();
  });

  it('stopNats/startNats keeps the port and the stream data, also after a SIGKILL', async () => {
    const nc = await connectNats(services.natsUrl);
    const js = jetstream(nc);
    for (let i = 0; i < 3; i += 1) {
      await js.publish('continuum.episode.v1.t-keep.a-keep', `m${i}`, { msgID: `t-keep:a-keep:${i}` });
    }
    await nc.close();
    await services.stopNats();
    expect(await portAnswers(portOf(services.natsUrl))).toBe(false);
    await services.startNats();
    const again = await connectNats(services.natsUrl);
    const info = await (await jetstreamManager(again)).streams.info(CONTRACT.streams.episodes.name);
    expect(info.state.messages).toBe(3);
    const message = await (
      await jetstreamManager(again)
    ).streams.getMessage(CONTRACT.streams.episodes.name, { seq: 1 });
    expect(message?.string()).toBe('m0');
    // A crash (SIGKILL) keeps acknowledged messages too: they were written before the ack.
    await jetstream(again).publish('continuum.episode.v1.t-keep.a-keep', 'm3', { msgID: 't-keep:a-keep:3' });
    await again.close();
    await services.stopNats('SIGKILL');
    await services.startNats();
    const afterCrash = await connectNats(services.natsUrl);
    const crashed = await (await jetstreamManager(afterCrash)).streams.info(CONTRACT.streams.episodes.name);
    expect(crashed.state.messages).toBe(4);
    await afterCrash.close();
  });

  it('stopValkey/startValkey: down in between, back on the same URL, empty (no persistence)', async () => {
    const redis = new Redis(services.valkeyUrl, { lazyConnect: true });
    await redis.connect();
    await redis.set('tenant:t1:presence:a1', 'x');
    redis.disconnect();
    await services.stopValkey();
    expect(await portAnswers(portOf(services.valkeyUrl))).toBe(false);
    await services.startValkey();
    const after = new Redis(services.valkeyUrl, { lazyConnect: true });
    await after.connect();
    expect(await after.get('tenant:t1:presence:a1')).toBeNull();
    after.disconnect();
  });

  it('killPostgresConnections terminates other sessions; new ones work', async () => {
    const victim = new pg.Client({ connectionString: services.pgUrl });
    const errors: Error[] = [];
    victim.on('error', (error) => errors.push(error));
    await victim.connect();
    expect(await services.killPostgresConnections()).toBeGreaterThanOrEqual(1);
    await expect(victim.query('SELECT 1')).rejects.toThrow();
    await victim.end().catch(() => {});
    expect(await pgQuery<{ one: number }>(services.pgUrl, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('restartPostgres keeps the URL and the data', async () => {
    const before = services.pids.pg;
    await services.restartPostgres();
    expect(services.pids.pg).not.toBe(before);
    const rows = await pgQuery<{ n: string }>(
      services.pgUrl,
      'SELECT count(*) AS n FROM arqonbus_continuum_audit',
    );
    expect(Number(rows[0]?.n)).toBeGreaterThanOrEqual(4);
  });

  it('stop() leaves no process, port or temp dir behind, and is idempotent', async () => {
    const pids = Object.values(services.pids);
    const ports = [services.natsUrl, services.pgUrl, services.valkeyUrl].map(portOf);
    const dataDir = (
      await pgQuery<{ setting: string }>(
        services.pgUrl,
        "SELECT setting FROM pg_settings WHERE name = 'data_directory'",
      )
    )[0]?.setting;
    expect(dataDir !== undefined && existsSync(dataDir)).toBe(true);
    await services.stop();
    await services.stop();
    expect(pids.filter(alive)).toEqual([]);
    expect(await Promise.all(ports.map(portAnswers))).toEqual([false, false, false]);
    expect(existsSync(dataDir ?? '')).toBe(false);
    expect(services.pids).toEqual({});
  });
});
