import { mergeVerdict } from '../core/verdict.js';
import type { ClauseVerdict } from '../core/verdict.js';
import { neverPassedUnproven } from '../report/clause-status.js';
import type { ClauseStatus } from '../report/clause-status.js';

/** Folds the fault suite's clause verdicts into the report's clause table with the kit's one merge rule. */
export function mergeFaultClauses(
  clauses: ClauseStatus[],
  faults: Map<string, ClauseVerdict>,
): ClauseStatus[] {
  return clauses.map((c) => {
    const f = faults.get(c.id);
    if (f === undefined || f.status === 'not-tested' || f.status === 'not-selected') return c;
    const properties = c.properties.includes('faults') ? c.properties : [...c.properties, 'faults'];
    const merged = mergeVerdict(
      { status: c.status, note: c.note, evidence: c.evidence },
      { ...f, evidence: f.evidence ?? 1 },
    );
    return neverPassedUnproven({
      ...c,
      status: merged.status,
      note: merged.note,
      evidence: merged.evidence ?? 0,
      properties,
    });
  });
}
