import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHORT_ACK_WAIT_MS } from './loaded-ci.js';
import {
  ackBeforeCommitProjectorCommand,
  runFaultSchedule,
  startFaultEnv,
  type FaultEnv,
} from '../../conformance/faults/index.js';

// The fixture projector that acknowledges a batch before its COMMIT. Its bus link has 30 ms of
// latency (a remote broker), so the ack is in flight for a while before the COMMIT: a kill
// that lands mid-batch then loses the batch.
let env: FaultEnv;
beforeAll(async () => {
  env = await startFaultEnv({
    projectorCmd: ackBeforeCommitProjectorCommand(),
    projectorLinkLatencyMs: 30,
    ackWaitMs: SHORT_ACK_WAIT_MS,
  });
});
afterAll(async () => {
  await env?.stop();
});

describe('a projector that acknowledges before it commits', () => {
  it('is caught with CT-4.ack-after-commit when killed mid-batch', { timeout: 150_000 }, async () => {
    const kill = {
      op: 'fault' as const,
      faults: [{ kind: 'projector-kill' as const }],
      holdMs: 300,
      writes: 60,
    };
    const r = await runFaultSchedule(
      env,
      { steps: [{ op: 'write', count: 20 }, kill, kill, kill, kill] },
      { giveUpMs: 6000 },
    );
    process.stdout.write(
      `[faults] ack-before-commit: ${JSON.stringify(r.figures)} ${JSON.stringify(r.notes)}\n`,
    );
    expect(r.ok).toBe(false);
    expect(r.violations.map((v) => v.clauseId)).toContain('CT-4.ack-after-commit');
    expect(r.figures.lost).toBeGreaterThan(0);
    expect(r.figures.lostBeforeStream).toBe(0);
  });
});
