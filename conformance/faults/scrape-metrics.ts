/** Sums of the reference projector's counters read from its /metrics text; undefined when unreachable. */
export interface ProjectorCounters {
  errors: number;
  projected: number;
  duplicate: number;
}

/** Reads `continuum_projector_errors_total` and `continuum_projector_events_total` from a /metrics URL. */
export async function scrapeProjectorCounters(
  url: string | undefined,
): Promise<ProjectorCounters | undefined> {
  if (url === undefined) return undefined;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    const text = await res.text();
    const sum = (name: string, label?: string): number =>
      text
        .split('\n')
        .filter((l) => l.startsWith(name) && (label === undefined || l.includes(label)))
        .reduce((n, l) => n + (Number(l.slice(l.lastIndexOf(' ') + 1)) || 0), 0);
    return {
      errors: sum('continuum_projector_errors_total'),
      projected: sum('continuum_projector_events_total', 'outcome="projected"'),
      duplicate: sum('continuum_projector_events_total', 'outcome="duplicate"'),
    };
  } catch {
    return undefined;
  }
}
