/**
 * Issue 14, point 4, against the reference on real services: tenant A publishes on its own subject
 * with the Nats-Msg-Id of tenant B's next event before B's producer exports it. With an account per
 * tenant (asyncapi.yaml x-security.accounts) and the reference projector consuming each tenant's
 * account, B's event is still stored (not acked as a duplicate) and projected.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerMsgId, episodeSubject } from 'continuum-contract';
import { ReferenceProducer } from '../../harness/producer/index.js';
import { ensureProjectorTopology } from '../../harness/projector/ensure-topology.js';
import { Projector } from '../../harness/projector/projector.js';
import { natsConnectOptions } from '../../harness/security/nats-credential.js';
import { startSecureNats } from '../../harness/security/start-secure-nats.js';
import { createFreshDatabase } from '../../harness/services/fresh-database.js';

const PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const rnd = (): string => Math.random().toString(36).slice(2, 8);
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe.each(['mtls', 'jwt'] as const)('msg-id squatting over %s, an account per tenant', (mode) => {
  it("another tenant publishing B's msg id first does not suppress B's event", async () => {
    const [ta, tb] = [`sa-${rnd()}`, `sb-${rnd()}`];
    const bus = await startSecureNats({ mode, tenants: [ta, tb], accounts: 'account-per-tenant' });
    cleanups.push(() => bus.stop());
    const db = await createFreshDatabase(PG);
    cleanups.push(() => db.drop());
    const pool = new pg.Pool({ connectionString: db.url, max: 4 });
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    cleanups.push(() => pool.end());

    // One reference projector per tenant account, the same code, one projection database.
    for (const t of [ta, tb]) {
      const nc = await connect(natsConnectOptions(bus.url, bus.tenantAccounts![t]!.projector));
      cleanups.push(() => nc.close());
      await ensureProjectorTopology(nc, pool);
      const projector = new Projector({ nc, pool, phase: 'shadow', maxWaitMs: 1 });
      await projector.start();
      cleanups.push(() => projector.stop());
    }

    const cred = bus.tenants[tb]!;
    const producer = new ReferenceProducer({
      dbPath: join(mkdtempSync(join(tmpdir(), 'ck-squat-producer-')), 'p.sqlite'),
      natsUrl: bus.url,
      nats: { ...cred, name: cred.identity },
      retry: { initialMs: 20, maxMs: 200, timeoutMs: 2000 },
    });
    cleanups.push(() => producer.stop());
    const written = producer.create({ tenant_id: tb, agent_id: 'b1', body: 'b', tags: [], metadata: {} });

    const squatter = await connect(natsConnectOptions(bus.url, bus.tenants[ta]!));
    cleanups.push(() => squatter.close());
    const msgId = brokerMsgId(tb, 'b1', written.event_id);
    const squat = await jetstream(squatter).publish(episodeSubject(ta, 'a1'), '{"squat":true}', {
      msgID: msgId,
    });
    expect(squat.duplicate).toBe(false); // stored, in A's own account

    producer.start();
    expect(await producer.exporter.waitIdle(20_000)).toBe(true);
    expect(producer.exporter.counters).toMatchObject({ published: 1 });
    let rows: { event_id: string }[] = [];
    while (rows.length === 0) {
      const r = await pool.query<{ event_id: string }>(
        'SELECT last_event_id AS event_id FROM arqonbus_continuum_projection WHERE tenant_id = $1',
        [tb],
      );
      rows = r.rows;
      if (rows.length === 0) await new Promise((res) => setTimeout(res, 20));
    }
    expect(rows).toEqual([{ event_id: written.event_id }]);
  });
});
