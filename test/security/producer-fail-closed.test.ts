/**
 * CT-6.fail-closed with the reference producer on a secure bus: a credential for tenant A that
 * is asked to export an episode of tenant B gets a permissions refusal, which is audited (local
 * table and PostgreSQL), counted, not retried, and leaves the event in the local store; tenant
 * A's episodes, written before and after it, still export.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTRACT } from 'continuum-contract';
import { provision } from '../../harness/provision.js';
import { ReferenceProducer } from '../../harness/producer/index.js';
import { natsConnectOptions } from '../../harness/security/nats-credential.js';
import { startSecureNats } from '../../harness/security/start-secure-nats.js';
import { createFreshDatabase } from '../../harness/services/fresh-database.js';

const PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const rnd = (): string => Math.random().toString(36).slice(2, 8);
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe('reference producer fails closed on a permissions refusal (mTLS)', () => {
  it("audits tenant B's refused event, keeps it locally, and still exports tenant A", async () => {
    const ta = `ta-${rnd()}`;
    const tb = `tb-${rnd()}`;
    const bus = await startSecureNats({ mode: 'mtls', tenants: [ta, tb] });
    cleanups.push(() => bus.stop());
    const db = await createFreshDatabase(PG);
    cleanups.push(() => db.drop());
    const adminOf = (t: string) => ({ ...bus.tenantAccounts![t]!.admin, name: `admin-${t}` });
    await provision({
      natsUrl: bus.url,
      pgUrl: db.url,
      natsConnect: { ...bus.admin, name: 'admin' },
      natsAccounts: [adminOf(ta), adminOf(tb)],
    });

    const cred = bus.tenants[ta]!;
    const producer = new ReferenceProducer({
      dbPath: join(mkdtempSync(join(tmpdir(), 'ck-fail-closed-')), 'p.sqlite'),
      natsUrl: bus.url,
      nats: { ...cred, name: cred.identity },
      pgUrl: db.url,
      // Every retry would be visible in the counter: a refusal must not produce any.
      retry: { initialMs: 20, maxMs: 200, timeoutMs: 2000 },
    });
    producer.start();
    cleanups.push(() => producer.stop());

    const a1 = producer.create({ tenant_id: ta, agent_id: 'a1', body: 'x', tags: [], metadata: {} });
    const b1 = producer.create({ tenant_id: tb, agent_id: 'a1', body: 'y', tags: [], metadata: {} });
    expect(await producer.exporter.waitIdle(20_000)).toBe(true);
    const a2 = producer.create({ tenant_id: ta, agent_id: 'a1', body: 'z', tags: [], metadata: {} });
    expect(await producer.exporter.waitIdle(20_000)).toBe(true);

    expect(producer.exporter.counters).toMatchObject({ published: 2, refused: 1, retries: 0 });
    expect(producer.bus.state).toBe('connected');

    const local = producer.audit.list().filter((r) => r.action === 'publish_refused');
    expect(local).toHaveLength(1);
    expect(local[0]).toMatchObject({
      actor: cred.identity,
      tenant_id: tb,
      agent_id: 'a1',
      outcome: 'refused',
      params: {
        subject: `continuum.episode.v1.${tb}.a1`,
        event_id: b1.event_id,
        episode_id: b1.episode_id,
        code: 'PERMISSION_DENIED',
      },
    });
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    pool.on('error', () => undefined);
    cleanups.push(() => pool.end());
    const remote = await pool.query(
      "SELECT actor, tenant_id, outcome, params FROM arqonbus_continuum_audit WHERE action = 'publish_refused'",
    );
    expect(remote.rows).toEqual([
      expect.objectContaining({ actor: cred.identity, tenant_id: tb, outcome: 'refused' }),
    ]);

    // The refused event stays in the local store (nothing deleted, the write was not undone).
    const events = producer.store.readAfter(0, 100).map((e) => e.event_id);
    expect(events).toEqual([a1.event_id, b1.event_id, a2.event_id]);

    // On the streams: A's two events in A's account, none of B's in either.
    const count = async (account: string, t: string): Promise<number> => {
      const admin = await connect(natsConnectOptions(bus.url, bus.tenantAccounts![account]!.admin));
      cleanups.push(() => admin.close());
      const jsm = await jetstreamManager(admin);
      const info = await jsm.streams.info(CONTRACT.streams.episodes.name, {
        subjects_filter: `continuum.episode.v1.${t}.>`,
      });
      return info.state.subjects?.[`continuum.episode.v1.${t}.a1`] ?? 0;
    };
    expect(await count(ta, ta)).toBe(2);
    expect(await count(ta, tb)).toBe(0);
    expect(await count(tb, tb)).toBe(0);
  });
});
