import * as hdr from 'hdr-histogram-js';

/** A latency distribution summary in microseconds. */
export interface LatencySummary {
  count: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
}

/** Records latencies (microseconds) in an HDR histogram and summarizes them. */
export class LatencyStats {
  private readonly h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });

  record(us: number): void {
    this.h.recordValue(Math.max(1, Math.min(60_000_000, Math.round(us))));
  }

  percentile(p: number): number {
    return this.h.getValueAtPercentile(p);
  }

  summary(): LatencySummary {
    return {
      count: this.h.totalCount,
      p50_us: this.h.getValueAtPercentile(50),
      p99_us: this.h.getValueAtPercentile(99),
      max_us: this.h.maxValue,
    };
  }

  reset(): void {
    this.h.reset();
  }
}
