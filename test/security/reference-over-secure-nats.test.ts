/**
 * The reference producer and projector connect to the secure deployment with the generated
 * credentials (tenant producer: mTLS certificate or .creds file; projector: its own identity) and
 * episodes flow end to end into PostgreSQL, while another tenant listening on every inbox root and
 * wildcard receives none of it (issue 14, point 3: the projector's pulls used to arrive on the
 * shared `_INBOX` root, which every tenant could subscribe to).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Msg } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
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

describe.each(['mtls', 'jwt'] as const)('reference producer and projector over %s', (mode) => {
  it('project a tenant’s episodes end to end, and another tenant overhears none of it', async () => {
    const tenant = `t-${rnd()}`;
    const eavesdropper = `e-${rnd()}`;
    const bus = await startSecureNats({ mode, tenants: [tenant, eavesdropper] });
    cleanups.push(() => bus.stop());
    const db = await createFreshDatabase(PG);
    cleanups.push(() => db.drop());
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    // Teardown drops the database WITH FORCE, which may terminate a backend the pool is still
    // closing; that expected error must not surface as an uncaught exception.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    cleanups.push(() => pool.end());

    const spy = await connect(natsConnectOptions(bus.url, bus.tenants[eavesdropper]!));
    cleanups.push(() => spy.close());
    const overheard: Msg[] = [];
    const refused: string[] = [];
    for (const subject of [
      '>',
      '_INBOX.>',
      '_INBOX_PROJECTOR.>',
      '_INBOX_KIT.>',
      '_INBOX_PRODUCER.>',
      '$JS.ACK.>',
    ]) {
      const sub = spy.subscribe(subject, {
        callback: (err, m) => {
          if (!err) overheard.push(m);
        },
      });
      await spy.flush();
      if (sub.isClosed()) refused.push(subject);
    }
    expect(refused).toHaveLength(6);

    const nc = await connect(natsConnectOptions(bus.url, bus.tenantAccounts![tenant]!.projector));
    cleanups.push(() => nc.close());
    await ensureProjectorTopology(nc, pool); // the projector's identity may use the JetStream API
    const projector = new Projector({ nc, pool, phase: 'shadow', maxWaitMs: 1 });
    await projector.start();
    cleanups.push(() => projector.stop());

    const cred = bus.tenants[tenant]!;
    const producer = new ReferenceProducer({
      dbPath: join(mkdtempSync(join(tmpdir(), 'ck-sec-producer-')), 'p.sqlite'),
      natsUrl: bus.url,
      nats: { ...cred, name: cred.identity },
      retry: { initialMs: 20, maxMs: 200, timeoutMs: 2000 },
    });
    producer.start();
    cleanups.push(() => producer.stop());
    const episodes = [1, 2, 3].map(
      (i) =>
        producer.create({ tenant_id: tenant, agent_id: 'a1', body: `b${i}`, tags: [], metadata: { i } })
          .episode_id,
    );
    expect(await producer.exporter.waitIdle(20_000)).toBe(true);
    expect(producer.exporter.counters).toMatchObject({ published: 3 });

    let rows: string[] = [];
    while (rows.length < 3) {
      const r = await pool.query<{ episode_id: string }>(
        'SELECT episode_id FROM arqonbus_continuum_projection WHERE tenant_id = $1 ORDER BY episode_id',
        [tenant],
      );
      rows = r.rows.map((x) => x.episode_id);
      if (rows.length < 3) await new Promise((res) => setTimeout(res, 20));
    }
    expect(rows).toEqual([...episodes].sort());
    // The projector pulled and acked all three through its inbox before the rows committed.
    await spy.flush();
    expect(overheard.map((m) => m.subject)).toEqual([]);
  });
});
