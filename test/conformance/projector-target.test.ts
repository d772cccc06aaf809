import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from '../../harness/services/index.js';
import type { Services } from '../../harness/services/index.js';
import { scheduleFacts } from '../../conformance/check/schedule-facts.js';
import { Observer } from '../../conformance/target/observer.js';
import { DEFAULT_SETTLE, ProjectorTarget } from '../../conformance/target/projector-target.js';
import type { Schedule, ScheduleMessage } from '../../conformance/streams/schedule.js';
import { freshToken } from '../../conformance/streams/bind-schedule.js';
import { startKitEnv } from './kit-env.js';

describe('the kit knows what the broker actually stored', () => {
  let env: Services;
  let nc: NatsConnection;
  let db: pg.Pool;
  let redis: Redis;
  beforeAll(async () => {
    env = await startKitEnv();
    nc = await connectNats(env.natsUrl);
    db = new pg.Pool({ connectionString: env.pgUrl, max: 2 });
    redis = new Redis(env.valkeyUrl);
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
    await db?.end();
    redis?.disconnect();
    await env?.stop();
  });

  it('a second message under a stored Nats-Msg-Id is recorded as deduplicated and expected nowhere', async () => {
    const token = freshToken();
    const subject = `continuum.episode.v1.${token}-t0.${token}-a1`;
    const mismatch = (tenant: string): ScheduleMessage => ({
      kind: 'mismatch',
      subject,
      msgId: `${token}-t0:${token}-a1:9b80e4d5-69c7-7030-9232-b1e675ab96be`,
      data: JSON.stringify({ event_id: '9b80e4d5-69c7-7030-9232-b1e675ab96be', tenant_id: tenant }),
      expectClause: 'CT-4.subject-match',
    });
    const schedule: Schedule = {
      property: 'tenant-isolation',
      steps: [
        { op: 'publish', message: mismatch(`${token}-t1`) },
        { op: 'publish', message: mismatch(`${token}-t2`) },
        { op: 'publish', message: { ...mismatch(`${token}-t2`), msgId: `${token}-other` } },
      ],
    };
    const target = new ProjectorTarget(jetstream(nc), new Observer(db, jetstream(nc), redis), DEFAULT_SETTLE);
    const exec = await target.execute(schedule, token, [], []);

    expect(exec.deduplicated).toEqual([1]);
    expect(exec.refused).toEqual([]);
    const facts = scheduleFacts(schedule, exec.deduplicated);
    expect(facts.rejected.map((r) => r.message.msgId)).toEqual([
      `${token}-t0:${token}-a1:9b80e4d5-69c7-7030-9232-b1e675ab96be`,
      `${token}-other`,
    ]);
    expect(facts.rejected.map((r) => r.parsed?.tenant_id)).toEqual([`${token}-t1`, `${token}-t2`]);
  });
});
