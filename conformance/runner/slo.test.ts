import { describe, expect, it } from 'vitest';
import { CONTRACT_SLO, evaluateSlos } from './slo.js';
import type { Measurements } from './run-properties.js';

const measured = (publishMs: number, lagMs: number, rate: number): Measurements => ({
  publishMs: [publishMs],
  lagMs: [lagMs],
  reapplied: Math.round(rate * 1000),
  applied: 1000,
  keysSeen: 0,
  events: 1,
});

const statuses = (m: Measurements): Record<string, string> =>
  Object.fromEntries(evaluateSlos(m, CONTRACT_SLO, true).map((s) => [s.clauseId, s.status]));

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
      false,
    );
    expect(none.map((s) => s.status)).toEqual(['not-tested', 'not-tested', 'not-tested']);
  });
});
