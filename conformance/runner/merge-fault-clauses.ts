import type { ClauseState, ClauseStatus } from '../report/clause-status.js';

/**
 * Folds the fault suite's clause verdicts into the report's clause table: a fault failure wins,
 * a fault pass fills a clause the properties left untested, and an existing pass keeps its note.
 */
export function mergeFaultClauses(
  clauses: ClauseStatus[],
  faults: Map<string, { status: ClauseState; note: string }>,
): ClauseStatus[] {
  return clauses.map((c) => {
    const f = faults.get(c.id);
    if (f === undefined || f.status === 'not-tested') return c;
    const properties = c.properties.includes('faults') ? c.properties : [...c.properties, 'faults'];
    if (f.status === 'failed')
      return {
        ...c,
        status: 'failed',
        note: c.status === 'failed' ? `${c.note}; ${f.note}` : f.note,
        properties,
      };
    if (c.status === 'not-tested') return { ...c, status: 'passed', note: f.note, properties };
    return { ...c, properties };
  });
}
