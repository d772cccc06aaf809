import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from '../../harness/services/index.js';
import type { Services } from '../../harness/services/index.js';
import { projectorPresent } from '../../conformance/producer/projection-snapshot.js';
import { runProducerProperty } from '../../conformance/producer/run-producer.js';
import type { FixtureRule } from '../../conformance/fixtures/fixture-rules.js';
import { SupervisedChild } from '../../harness/child/index.js';
import { startFakeProducer } from './fake-producer.js';
import type { FakeProducerBug } from '../../conformance/fixtures/producer-bugs.js';
import { startKitEnv, TEST_ACK_WAIT_MS } from './kit-env.js';
import { fixtureCmd } from './run-kit.js';

const CASES: [FakeProducerBug | undefined, FixtureRule | undefined, string[]][] = [
  [undefined, undefined, []],
  // New ids reach the projector as new events: the rows change, and the ids are not the change-log's.
  ['backfill-new-ids', undefined, ['CT-8.replay-idempotent', 'CT-8.replay-source']],
  // A correct producer, a projector that is not idempotent on replays: only the rows show it.
  [undefined, 'no-dedup', ['CT-8.replay-idempotent']],
  [undefined, 'guard-lte', ['CT-8.replay-idempotent']],
];

describe('with a projector consuming, replay idempotence is judged on its rows', () => {
  let env: Services;
  let nc: NatsConnection;
  let db: pg.Pool;
  beforeAll(async () => {
    env = await startKitEnv();
    nc = await connectNats(env.natsUrl);
    db = new pg.Pool({ connectionString: env.pgUrl, max: 2 });
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
    await db?.end();
    await env?.stop();
  });

  for (const [bug, rule, clauses] of CASES) {
    const who = `${bug ?? 'correct'} producer, ${rule ?? 'correct'} projector`;
    it(
      clauses.length === 0 ? `${who} passes on rows` : `${who} fails naming ${clauses.join(', ')}`,
      { timeout: 150_000 },
      async () => {
        const projector = new SupervisedChild({
          name: 'fixture projector',
          command: fixtureCmd(rule),
          env: {
            ...process.env,
            NATS_URL: env.natsUrl,
            DATABASE_URL: env.pgUrl,
            VALKEY_URL: env.valkeyUrl,
            CK_ACK_WAIT_MS: String(TEST_ACK_WAIT_MS),
          },
          logFile: path.join(mkdtempSync(path.join(os.tmpdir(), 'ck-replay-rows-')), 'projector.log'),
        });
        projector.start();
        const fake = await startFakeProducer(jetstream(nc), db, bug);
        try {
          expect(await projectorPresent(jetstream(nc), 30_000)).toBe(true);
          const run = await runProducerProperty(fake.url, jetstream(nc), db, {
            seed: 9,
            numRuns: 15,
            maxShrinks: 10,
            propertyTimeLimitMs: 90_000,
            progress: () => undefined,
          });
          const named = run.result.violations.map((v) => v.clauseId);
          const shown = JSON.stringify(run.result.violations.slice(0, 4));
          if (clauses.length === 0) {
            expect(named, shown).toEqual([]);
            expect(run.clauses.get('CT-8.replay-idempotent')?.note).toContain("projector's rows");
          }
          for (const c of clauses) expect(named, shown).toContain(c);
        } finally {
          await fake.close();
          await projector.close();
        }
      },
    );
  }
});
