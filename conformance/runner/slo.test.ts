import { describe, expect, it } from 'vitest';
import { CONTRACT_SLO, evaluateSlos, judgePublishP99, MIN_PUBLISH_SAMPLES } from './slo.js';
import type { PublishLatency } from './slo.js';
import type { Measurements } from './run-properties.js';

const measured = (publishMs: number, lagMs: number, rate: number): Measurements => ({
  publishMs: [publishMs],
  lagMs: [lagMs],
  reapplied: Math.round(rate * 1000),
  applied: 1000,
  keysSeen: 0,
  events: 1,
});

/** The producer's figures: enough publishes, a quiet kit, the median well under the p99. */
const producerPublish = (p99Ms: number): PublishLatency => ({ count: 500, p50Ms: 1, p99Ms, kitLagP99Ms: 0 });

const statuses = (m: Measurements): Record<string, string> =>
  Object.fromEntries(
    evaluateSlos(m, CONTRACT_SLO, producerPublish(m.publishMs[0] ?? 0)).map((s) => [s.clauseId, s.status]),
  );

describe('evaluateSlos', () => {
  it('fails each SLO measured at or above its threshold', () => {
    const t = CONTRACT_SLO;
    expect(statuses(measured(t.publishP99Ms, t.lagP95Ms, t.duplicateRate))).toEqual({
      'CT-9.publish-p99': 'failed',
      'CT-9.lag-p95': 'failed',
      'CT-9.duplicate-rate': 'failed',
    });
  });

  it('passes each SLO measured below its threshold', () => {
    const t = CONTRACT_SLO;
    expect(statuses(measured(t.publishP99Ms / 2, t.lagP95Ms / 2, 0))).toEqual({
      'CT-9.publish-p99': 'passed',
      'CT-9.lag-p95': 'passed',
      'CT-9.duplicate-rate': 'passed',
    });
  });

  it('does not judge the publish p99 of the kit itself, nor SLOs with nothing measured', () => {
    const none = evaluateSlos(
      { publishMs: [1e9], lagMs: [], reapplied: 0, applied: 0, keysSeen: 0, events: 0 },
      CONTRACT_SLO,
    );
    expect(none.map((s) => s.status)).toEqual(['not-tested', 'not-tested', 'not-tested']);
  });
});

const judged = (over: Partial<PublishLatency>) => {
  const r = judgePublishP99({ count: 500, p50Ms: 2, p99Ms: 8, kitLagP99Ms: 1, ...over }, 20);
  return { status: r.status, reason: r.reason ?? '' };
};

describe('CT-9.publish-p99 on the producer figures', () => {
  it('passes a p99 under the threshold, whatever the sample count or load', () => {
    expect(judged({}).status).toBe('passed');
    expect(judged({ count: 3, kitLagP99Ms: 200 }).status).toBe('passed');
  });

  it('fails a slow publisher from enough samples on a quiet machine', () => {
    expect(judged({ p99Ms: 35 })).toEqual({
      status: 'failed',
      reason: "over the threshold by more than the kit's own event-loop lag p99 1.0 ms",
    });
  });

  it('fails when most publishes are slow, even from few samples or with the kit lagging', () => {
    expect(judged({ count: 5, p50Ms: 60, p99Ms: 90 }).status).toBe('failed');
    expect(judged({ p50Ms: 60, p99Ms: 90, kitLagP99Ms: 30 }).status).toBe('failed');
  });

  it('does not judge a p99 over the threshold from fewer than 100 publishes', () => {
    const r = judged({ count: MIN_PUBLISH_SAMPLES - 1, p99Ms: 35 });
    expect(r.status).toBe('not-tested');
    expect(r.reason).toContain('fewer than 100 publishes');
    expect(judged({ count: MIN_PUBLISH_SAMPLES, p99Ms: 35 }).status).toBe('failed');
  });

  it("does not judge a p99 over the threshold by less than the kit's own lag, and says so", () => {
    const r = judged({ p99Ms: 35, kitLagP99Ms: 40 });
    expect(r.status).toBe('not-tested');
    expect(r.reason).toContain("less than the kit's own event-loop lag p99 40.0 ms");
    expect(judged({ p99Ms: 65, kitLagP99Ms: 40 }).status).toBe('failed');
  });
});
