import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT } from 'continuum-contract';
import { connectNats } from '../../harness/services/index.js';
import { runFaultSchedule, startFaultEnv, type FaultEnv } from '../../conformance/faults/index.js';
import { LOADED_CI, SHORT_ACK_WAIT_MS } from './loaded-ci.js';

// A 3-node JetStream cluster (streams with 3 replicas), PostgreSQL and Redis from binaries,
// the reference projector as a child process.
let env: FaultEnv;
beforeAll(async () => {
  env = await startFaultEnv({ cluster: true, ackWaitMs: SHORT_ACK_WAIT_MS });
});
afterAll(async () => {
  await env?.stop();
});

describe('a node of the 3-node cluster killed mid-run', () => {
  it('the episode stream is replicated on all three nodes', async () => {
    const nc = await connectNats(env.natsUrl);
    try {
      const info = await (await jetstreamManager(nc)).streams.info(CONTRACT.streams.episodes.name);
      expect(info.config.num_replicas).toBe(3);
      expect(info.cluster?.replicas?.length).toBe(2);
    } finally {
      await nc.close();
    }
    expect(env.capabilities).toContain('cluster-node-kill');
    expect(env.capabilities).not.toContain('broker-restart');
  });

  it(
    'killing each node in turn (the stream leader among them) loses nothing',
    { timeout: 120_000 },
    async () => {
      const r = await runFaultSchedule(
        env,
        {
          steps: [
            { op: 'write', count: 20 },
            { op: 'fault', faults: [{ kind: 'cluster-node-kill', node: 0 }], holdMs: 1500, writes: 40 },
            {
              op: 'fault',
              faults: [{ kind: 'cluster-node-kill', node: 1 }, { kind: 'projector-kill' }],
              holdMs: 1500,
              writes: 40,
            },
            { op: 'fault', faults: [{ kind: 'cluster-node-kill', node: 2 }], holdMs: 1500, writes: 40 },
            { op: 'write', count: 20 },
          ],
        },
        { ...LOADED_CI, giveUpMs: 30_000 },
      );
      process.stdout.write(`[faults] cluster node kills: ${JSON.stringify(r.figures)}\n`);
      expect(r.violations).toEqual([]);
      expect(r.figures.episodesWritten).toBe(160);
      expect(r.figures.eventsProjected).toBe(160);
      expect(r.figures.lost).toBe(0);
      expect(r.figures.duplicatesOnStream).toBe(0);
      expect(env.cluster?.pids.every((p) => p !== undefined)).toBe(true);
    },
  );
});
