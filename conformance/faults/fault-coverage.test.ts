import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, type FaultKind } from './fault-schedule.js';
import { coverageSchedule } from './fault-schedule-arbitrary.js';
import { faultKindCounts } from './fault-report-html.js';
import type { FaultEnv } from './fault-env.js';
import { runFaultProperty, type FaultPropertyResult } from './run-fault-property.js';
import { judgeMemory, type SoakSample } from './run-soak.js';

describe('coverageSchedule', () => {
  it('injects each kind it is given exactly once, after a fault-free write step', () => {
    const kinds: FaultKind[] = ['pg-restart', 'projector-kill', 'cluster-node-kill', 'latency'];
    const s = coverageSchedule(kinds);
    expect(s.steps[0]).toEqual({ op: 'write', count: 5 });
    const injected = s.steps.flatMap((st) => (st.op === 'fault' ? st.faults.map((f) => f.kind) : []));
    expect(injected).toEqual(kinds);
  });

  it('is counted per kind in the fault report', () => {
    const schedule = coverageSchedule(FAULT_KINDS);
    const r = {
      results: [{ schedule }, { schedule: coverageSchedule(['latency']) }],
    } as unknown as FaultPropertyResult;
    const text = faultKindCounts(r);
    expect(text).toContain('latency x2');
    for (const k of FAULT_KINDS.filter((k) => k !== 'latency')) expect(text).toContain(`${k} x1`);
  });
});

const sample = (tMs: number, rssMb: number): SoakSample => ({
  tMs,
  written: 0,
  projected: 0,
  backlog: 0,
  lagP95Ms: undefined,
  lagMaxMs: undefined,
  writeP99Ms: undefined,
  projectorRssBytes: rssMb * 2 ** 20,
  producerRssBytes: 0,
  producerHeapBytes: 0,
  writeErrorsPerSec: 0,
  publishRetriesPerSec: 0,
  projectorErrorsPerSec: undefined,
});

describe('judgeMemory', () => {
  const bound = { boundBytesPerMin: 4 * 2 ** 20, warmupMs: 60_000, minJudgedMs: 120_000 };
  // Samples every 10 s for 5 minutes; the first minute (warm-up) climbs steeply in every series.
  const series = (mbPerMin: number): SoakSample[] =>
    Array.from({ length: 31 }, (_, i) => {
      const t = i * 10_000;
      return sample(t, t < 60_000 ? 50 + t / 1000 : 110 + ((t - 60_000) / 60_000) * mbPerMin);
    });

  it('fails a projector whose RSS keeps growing faster than the bound after warm-up', () => {
    const v = judgeMemory(series(10), bound);
    expect(v.judged).toBe(true);
    expect(v.ok).toBe(false);
    expect(v.slopeBytesPerMin).toBeGreaterThan(8 * 2 ** 20);
    expect(v.note).toContain('floor grew');
  });

  it('passes a heap that grows and falls back in waves (the floor stays put)', () => {
    const waves = Array.from({ length: 31 }, (_, i) => sample(i * 10_000, 130 + (i % 8) * 6));
    const v = judgeMemory(waves, bound);
    expect(v.judged).toBe(true);
    expect(v.ok).toBe(true);
  });

  it('passes a flat projector despite a steep warm-up', () => {
    const v = judgeMemory(series(0.5), bound);
    expect(v.judged).toBe(true);
    expect(v.ok).toBe(true);
  });

  it('does not judge a soak too short to tell growth from noise, and says so', () => {
    const v = judgeMemory(series(50).slice(0, 12), bound);
    expect(v.judged).toBe(false);
    expect(v.ok).toBe(true);
    expect(v.note).toContain('not judged');
  });
});

describe('runFaultProperty', () => {
  it('rethrows an environment error instead of shrinking it into a verdict', async () => {
    const env = {
      capabilities: ['latency'],
      ackWaitMs: 2000,
      nextTenant: () => {
        throw new Error('projector exited outside any injected fault');
      },
    } as unknown as FaultEnv;
    await expect(runFaultProperty(env, { seed: 1, numRuns: 3 })).rejects.toThrow(
      'outside any injected fault',
    );
  });
});
