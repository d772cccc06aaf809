/** One figure of `npm run bench`: a value, and the target it is judged against when there is one. */
export interface BenchResult {
  /** What was measured, for example 'decode+validate / JSON.parse throughput'. */
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, for example '>= 0.9'. */
  target?: string;
  /** Whether value meets target; absent when there is no target. */
  pass?: boolean;
  /** Side figures that explain the value (raw rates, sample sizes). */
  detail?: Record<string, number | string>;
}
