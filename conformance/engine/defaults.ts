/**
 * Defaults of the main job, chosen by measurement on the project's 2-core CI machine (see
 * bench/kit.bench.ts and conformance/README.md for the figures).
 */

/** Schedules in flight at once. */
export const DEFAULT_CONCURRENCY = 8;

/** Runs per property (scaled by each property's runsFactor). */
export const DEFAULT_NUM_RUNS = 10;
