import { monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 10;

/**
 * Starts sampling this process's event-loop delay; the returned function stops and gives its p99
 * in ms beyond the sampling interval (about 1 ms on an idle machine). The kit's own lag says how
 * loaded the machine was while it timed something else.
 */
export function watchEventLoopLag(): () => number {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  return () => {
    histogram.disable();
    return Math.max(0, histogram.percentile(99) / 1e6 - RESOLUTION_MS);
  };
}
