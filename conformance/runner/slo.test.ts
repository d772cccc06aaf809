import { describe, expect, it } from 'vitest';
import { judgePublishP99, MIN_PUBLISH_SAMPLES } from './slo.js';
import type { PublishLatency } from './slo.js';

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
