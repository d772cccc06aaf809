import type { ClauseId } from 'continuum-contract';

/**
 * The status of a clause in a report; `not-selected` is a clause whose property the run did not
 * select, or that binds only the side (x-clauses `side`) the run does not test.
 */
export type ClauseState = 'passed' | 'failed' | 'not-tested' | 'not-selected';

/** What a run concluded about one clause, and why. */
export interface ClauseVerdict {
  status: ClauseState;
  note: string;
  /** Situations the clause's checks saw in executions without a finding. */
  evidence?: number;
}

const RANK: Record<ClauseState, number> = { failed: 3, passed: 2, 'not-tested': 1, 'not-selected': 0 };

/**
 * The one merge rule of the kit: failed beats passed beats not-tested beats not-selected; equal
 * statuses keep both notes and add their evidence.
 */
export function mergeVerdict(a: ClauseVerdict | undefined, b: ClauseVerdict): ClauseVerdict {
  if (a === undefined) return b;
  if (RANK[b.status] > RANK[a.status]) return b;
  if (RANK[b.status] < RANK[a.status]) return a;
  const evidence = (a.evidence ?? 0) + (b.evidence ?? 0);
  return {
    status: a.status,
    note: a.note === b.note || b.note === '' ? a.note : a.note === '' ? b.note : `${a.note}; ${b.note}`,
    ...(evidence > 0 ? { evidence } : {}),
  };
}

/** Merges verdict maps clause by clause with {@link mergeVerdict}. */
export function mergeVerdictMaps(
  ...maps: ReadonlyMap<ClauseId, ClauseVerdict>[]
): Map<ClauseId, ClauseVerdict> {
  const out = new Map<ClauseId, ClauseVerdict>();
  for (const m of maps) for (const [id, v] of m) out.set(id, mergeVerdict(out.get(id), v));
  return out;
}
