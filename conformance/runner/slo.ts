import { CONTRACT } from 'continuum-contract';
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
  /** Why it was not tested, or what else a failure rests on. */
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

/** The producer's publish-to-ack latency over a run, and the kit's own event-loop lag meanwhile. */
export interface PublishLatency {
  count: number;
  p50Ms: number;
  p99Ms: number;
  kitLagP99Ms: number;
}

/** Below this many publishes the nearest-rank p99 is the slowest one or two: one outlier decides it. */
export const MIN_PUBLISH_SAMPLES = 100;

/**
 * CT-9.publish-p99 on the producer's own figures. A p99 under the threshold passes. Half the
 * publishes slower than the threshold plus the kit's own lag fails at any sample count. Otherwise
 * a p99 over the threshold fails only from enough samples, and only when it exceeds the threshold
 * by more than the kit's own event-loop lag (a machine too loaded to time 20 ms is not the
 * producer's fault); else it is not tested, saying why.
 */
export function judgePublishP99(p: PublishLatency, thresholdMs: number): SloResult {
  const base = {
    clauseId: 'CT-9.publish-p99',
    title: 'Publish p99',
    measured: p.p99Ms,
    threshold: thresholdMs,
    unit: 'ms',
    samples: p.count,
  };
  const lag = `the kit's own event-loop lag p99 ${p.kitLagP99Ms.toFixed(1)} ms`;
  if (p.p99Ms < thresholdMs) return { ...base, status: 'passed' };
  const allowed = thresholdMs + p.kitLagP99Ms;
  if (p.p50Ms >= allowed)
    return {
      ...base,
      status: 'failed',
      reason: `median ${p.p50Ms.toFixed(1)} ms: most publishes are slow (${lag})`,
    };
  const figures = `p99 ${p.p99Ms.toFixed(1)} ms, median ${p.p50Ms.toFixed(1)} ms over ${p.count} publishes`;
  if (p.count < MIN_PUBLISH_SAMPLES)
    return {
      ...base,
      status: 'not-tested',
      reason: `${figures}: fewer than ${MIN_PUBLISH_SAMPLES} publishes, so the p99 is their slowest; not judged`,
    };
  if (p.p99Ms < allowed)
    return {
      ...base,
      status: 'not-tested',
      reason: `${figures}: over the threshold by less than ${lag}, so the machine was too loaded to judge it`,
    };
  return { ...base, status: 'failed', reason: `over the threshold by more than ${lag}` };
}

/**
 * Evaluates the SLOs. The publish p99 is the producer's: against a projector target the kit can
 * only time its own publishes, which measures the bus, so it is reported but not judged.
 */
export function evaluateSlos(
  m: Measurements,
  t: SloThresholds,
  producerPublish?: PublishLatency,
): SloResult[] {
  const publish = percentile(m.publishMs, 99);
  const publishResult: SloResult =
    producerPublish !== undefined
      ? judgePublishP99(producerPublish, t.publishP99Ms)
      : {
          clauseId: 'CT-9.publish-p99',
          title: 'Publish p99',
          threshold: t.publishP99Ms,
          unit: 'ms',
          samples: m.publishMs.length,
          status: 'not-tested',
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
