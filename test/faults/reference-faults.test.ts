import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BlockingWriter,
  FaultUnsupportedError,
  readFaultScheduleFile,
  runFaultProperty,
  runFaultSchedule,
  saveFaultSchedule,
  startFaultEnv,
  type FaultEnv,
  type FaultSchedule,
} from '../../conformance/faults/index.js';
import { LOADED_CI, SHORT_ACK_WAIT_MS } from './loaded-ci.js';

// One single-node environment (own nats-server, postgres, redis-server from binaries, the
// reference projector as a child process) for the whole file.
let env: FaultEnv;
beforeAll(async () => {
  env = await startFaultEnv({ ackWaitMs: SHORT_ACK_WAIT_MS });
});
afterAll(async () => {
  await env?.stop();
});

const figuresLine = (label: string, f: object): void => {
  process.stdout.write(`[faults] ${label}: ${JSON.stringify(f)}\n`);
};

// Every fault the single-node environment can inject, some together.
const EVERY_FAULT: FaultSchedule = {
  steps: [
    { op: 'write', count: 30 },
    { op: 'fault', faults: [{ kind: 'broker-restart', signal: 'SIGKILL' }], holdMs: 1200, writes: 40 },
    {
      op: 'fault',
      faults: [{ kind: 'projector-kill' }, { kind: 'latency', ms: 40 }],
      holdMs: 800,
      writes: 40,
    },
    { op: 'fault', faults: [{ kind: 'pg-restart' }], holdMs: 800, writes: 30 },
    {
      op: 'fault',
      faults: [{ kind: 'valkey-down' }, { kind: 'pg-kill-connections' }],
      holdMs: 600,
      writes: 30,
    },
    { op: 'fault', faults: [{ kind: 'bus-partition' }], holdMs: 600, writes: 30 },
    { op: 'write', count: 30 },
  ],
};

describe('the reference producer and projector under faults', () => {
  it(
    'a schedule with every fault: nothing lost, effectively once, rows equal the model, local writes never blocked',
    { timeout: 120_000 },
    async () => {
      const r = await runFaultSchedule(env, EVERY_FAULT, LOADED_CI);
      figuresLine('every-fault schedule', r.figures);
      expect(r.violations).toEqual([]);
      expect(r.figures.faultsInjected).toBe(7);
      expect(r.figures.episodesWritten).toBe(230);
      expect(r.figures.eventsProjected).toBe(230);
      expect(r.figures.lost).toBe(0);
      expect(r.figures.duplicatesProjected).toBe(0);
      expect(r.figures.localWrite.failures).toBe(0);
      expect(r.clauses.find((c) => c.clauseId === 'CT-4.ack-after-commit')?.status).toBe('passed');
      expect(r.clauses.find((c) => c.clauseId === 'CT-6.fail-open')?.status).toBe('passed');
    },
  );

  it('generated fault schedules pass (fast-check, seeded)', { timeout: 120_000 }, async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'ck-faults-prop-'));
    const r = await runFaultProperty(env, {
      seed: 42,
      numRuns: 2,
      outDir: out,
      bounds: { maxSteps: 3, maxWritesPerStep: 30, maxHoldMs: 900 },
      run: LOADED_CI,
    });
    figuresLine('property seed 42', r.totals);
    expect(r.violations).toEqual([]);
    expect(r.status).toBe('passed');
    expect(r.runs).toBe(2);
    expect(r.totals.lost).toBe(0);
    expect(r.totals.faultsInjected).toBeGreaterThan(0);
  });

  it('a saved schedule replays exactly (same steps, fresh tenant)', { timeout: 60_000 }, async () => {
    const schedule: FaultSchedule = {
      steps: [
        { op: 'write', count: 5 },
        { op: 'fault', faults: [{ kind: 'latency', ms: 20 }], holdMs: 300, writes: 10 },
      ],
    };
    const file = await saveFaultSchedule(
      mkdtempSync(path.join(os.tmpdir(), 'ck-faults-file-')),
      'replay',
      schedule,
      { seed: 1 },
    );
    const saved = await readFaultScheduleFile(file);
    expect(saved.schedule).toEqual(schedule);
    const r = await runFaultSchedule(env, saved.schedule, LOADED_CI);
    expect(r.violations).toEqual([]);
    expect(r.figures.episodesWritten).toBe(15);
  });

  it(
    'a producer whose local write awaits the publish is caught with CT-6.local-writes',
    { timeout: 60_000 },
    async () => {
      const r = await runFaultSchedule(
        env,
        {
          steps: [
            { op: 'write', count: 10 },
            { op: 'fault', faults: [{ kind: 'broker-restart', signal: 'SIGTERM' }], holdMs: 800, writes: 10 },
          ],
        },
        { writer: (o) => new BlockingWriter(o) },
      );
      figuresLine('blocking producer', r.figures.localWrite);
      expect(r.ok).toBe(false);
      expect(r.violations.map((v) => v.clauseId)).toContain('CT-6.local-writes');
      expect(r.figures.lost).toBe(0);
    },
  );

  it(
    'refuses a fault the environment cannot inject, and heals what the step had injected',
    { timeout: 60_000 },
    async () => {
      const run = runFaultSchedule(env, {
        steps: [
          {
            op: 'fault',
            faults: [
              { kind: 'latency', ms: 80 },
              { kind: 'cluster-node-kill', node: 0 },
            ],
            holdMs: 300,
            writes: 3,
          },
        ],
      });
      await expect(run).rejects.toBeInstanceOf(FaultUnsupportedError);
      expect(env.proxies.producer?.latencyMs).toBe(0);
      expect(env.proxies.projector?.latencyMs).toBe(0);
    },
  );
});
