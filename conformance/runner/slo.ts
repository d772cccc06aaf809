import { CONTRACT } from '../../lib/index.js';
import type { Measurements } from './run-properties.js';

/** SLO thresholds; the contract's values unless overridden by flags. */
export interface SloThresholds {
  publishP99Ms: number;
  lagP95Ms: number;
  duplicateRate: number;
}

export const CONTRACT_SLO: SloThresholds = {
  publishP99Ms: CONTRACT.slo.publish_p99_ms.max,
  lagP95Ms: CONTRACT.slo.projection_lag_p95_ms.max,
  duplicateRate: CONTRACT.slo.duplicate_projection_rate.max,
};

/** One SLO's verdict. `measured` is undefined when there was nothing to measure. */
export interface SloResult {
  clauseId: string;
  title: string;
  measured?: number;
  threshold: number;
  unit: string;
  samples: number;
  status: 'passed' | 'failed' | 'not-tested';
  reason?: string;
}

/** Nearest-rank percentile (0 < p <= 100) of the samples; undefined for none. */
export function percentile(samples: number[], p: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function verdict(
  clauseId: string,
  title: string,
  measured: number | undefined,
  threshold: number,
  unit: string,
  samples: number,
  missing: string,
): SloResult {
  if (measured === undefined)
    return { clauseId, title, threshold, unit, samples, status: 'not-tested', reason: missing };
  return {
    clauseId,
    title,
    measured,
    threshold,
    unit,
    samples,
    status: measured < threshold ? 'passed' : 'failed',
  };
}

/**
 * Evaluates the SLOs. The publish p99 is the producer's: against a projector target the kit can
 * only time its own publishes, which measures the bus, so it is reported but not judged.
 */
export function evaluateSlos(m: Measurements, t: SloThresholds, producerMeasured: boolean): SloResult[] {
  const publish = percentile(m.publishMs, 99);
  const publishResult = producerMeasured
    ? verdict(
        'CT-9.publish-p99',
        'Publish p99',
        publish,
        t.publishP99Ms,
        'ms',
        m.publishMs.length,
        'no publishes timed',
      )
    : {
        clauseId: 'CT-9.publish-p99',
        title: 'Publish p99',
        threshold: t.publishP99Ms,
        unit: 'ms',
        samples: m.publishMs.length,
        status: 'not-tested' as const,
        reason: `producer SLO; the kit's own publishes (the bus, not the implementation) had p99 ${publish?.toFixed(1) ?? '-'} ms`,
        ...(publish === undefined ? {} : { measured: publish }),
      };
  return [
    publishResult,
    verdict(
      'CT-9.lag-p95',
      'Projection lag p95 (publish to projected_at)',
      percentile(m.lagMs, 95),
      t.lagP95Ms,
      'ms',
      m.lagMs.length,
      'no projected events timed',
    ),
    verdict(
      'CT-9.duplicate-rate',
      'Duplicate projection rate',
      m.applied === 0 ? undefined : m.reapplied / m.applied,
      t.duplicateRate,
      'ratio',
      m.applied,
      'no redelivery phase ran',
    ),
  ];
}
