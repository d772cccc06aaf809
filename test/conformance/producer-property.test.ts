import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from '../../harness/services/index.js';
import type { Services } from '../../harness/services/index.js';
import { runProducerProperty } from '../../conformance/producer/run-producer.js';
import { startKitEnv } from './kit-env.js';
import { startFakeProducer } from './fake-producer.js';
import { PRODUCER_BUG_EXPECTATIONS } from '../../conformance/fixtures/producer-bugs.js';
import type { FakeProducerBug } from '../../conformance/fixtures/producer-bugs.js';

// The correct producer first, then each bug with every clause it must be named under.
const CASES: [FakeProducerBug | undefined, readonly string[]][] = [
  [undefined, []],
  ...(Object.entries(PRODUCER_BUG_EXPECTATIONS) as [FakeProducerBug, readonly string[]][]),
];

describe('the producer property fails each broken producer with its clause, and passes the correct one', () => {
  let env: Services;
  let nc: NatsConnection;
  let db: pg.Pool;
  beforeAll(async () => {
    env = await startKitEnv();
    nc = await connectNats(env.natsUrl);
    db = new pg.Pool({ connectionString: env.pgUrl, max: 2 });
  });
  afterAll(async () => {
    await nc?.close();
    await db?.end();
    await env?.stop();
  });

  for (const [bug, clauses] of CASES) {
    it(
      bug === undefined
        ? 'correct fake producer passes, every backfill clause and CT-6.fail-open exercised'
        : `${bug} fails naming ${clauses.join(' and ')}`,
      { timeout: 120_000 },
      async () => {
        const fake = await startFakeProducer(jetstream(nc), db, bug);
        try {
          const run = await runProducerProperty(fake.url, jetstream(nc), db, {
            seed: 9,
            numRuns: 15,
            maxShrinks: 10,
            propertyTimeLimitMs: 60_000,
            progress: () => undefined,
          });
          const named = run.result.violations.map((v) => v.clauseId);
          if (bug === undefined) {
            expect(named, JSON.stringify(run.result.violations.slice(0, 3))).toEqual([]);
            for (const c of ['CT-8.replay-source', 'CT-8.dry-run', 'CT-6.fail-open'])
              expect(run.clauses.get(c)?.status, c).toBe('passed');
            // No projector consumes this deployment: replays are judged on the stream only.
            expect(run.clauses.get('CT-8.replay-idempotent')?.note).toContain('stream only');
          } else
            for (const clause of clauses)
              expect(named, JSON.stringify(run.result.violations.slice(0, 3))).toContain(clause);
        } finally {
          await fake.close();
        }
      },
    );
  }
});
