/**
 * The projector's stale counter, `continuum_projector_events_total{outcome="stale"}` summed over
 * its series, read from a Prometheus text endpoint; undefined when unreachable.
 */
export async function scrapeStaleCount(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return undefined;
    return (await res.text())
      .split('\n')
      .filter((l) => l.startsWith('continuum_projector_events_total') && l.includes('outcome="stale"'))
      .reduce((n, l) => n + (Number(l.slice(l.lastIndexOf(' ') + 1)) || 0), 0);
  } catch {
    return undefined;
  }
}
