import { isClauseId, type ClauseId } from 'continuum-contract';

/** One broken rule seen in one execution, filed under the clause whose rule it breaks. */
export interface Finding {
  clauseId: ClauseId;
  message: string;
  /** Index of the schedule step that showed it, when one step did. */
  step?: number;
}

/**
 * Situations a check saw and could have failed on, per clause: `CT-4.stale` counts stale
 * events whose recorded outcome was compared, `CT-5.cache-ttl` cache keys whose TTL was read.
 * A clause is passed only on evidence: a count above zero from an execution with no finding.
 */
export type Evidence = Map<ClauseId, number>;

/** What one check (or one execution of every check) found. */
export interface CheckOutcome {
  findings: Finding[];
  evidence: Evidence;
}

/** A check: the clauses it can emit, and what it found in one input. */
export interface Check<Input> {
  readonly name: string;
  readonly clauses: readonly ClauseId[];
  run(input: Input): CheckOutcome;
}

export function addEvidence(into: Evidence, clause: ClauseId, count = 1): void {
  if (count <= 0) return;
  into.set(clause, (into.get(clause) ?? 0) + count);
}

export function mergeEvidence(into: Evidence, from: Evidence | Iterable<[ClauseId, number]>): void {
  for (const [clause, count] of from) addEvidence(into, clause, count);
}

/** Runs checks on one input and merges their outcomes; a finding outside a check's clauses is a kit bug. */
export function runChecks<Input>(checks: readonly Check<Input>[], input: Input): CheckOutcome {
  const out: CheckOutcome = { findings: [], evidence: new Map() };
  for (const check of checks) {
    const r = check.run(input);
    for (const f of r.findings) {
      if (!check.clauses.includes(f.clauseId))
        throw new Error(`check ${check.name} emitted ${f.clauseId}, which it does not declare`);
      out.findings.push(f);
    }
    mergeEvidence(out.evidence, r.evidence);
  }
  return out;
}

export function evidenceRecord(e: Evidence): Partial<Record<ClauseId, number>> {
  return Object.fromEntries([...e].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A clause ID from outside the kit (a validator's violation, a DLQ entry), or `fallback` when it is none. */
export function clauseOr(id: string | undefined, fallback: ClauseId): ClauseId {
  return id !== undefined && isClauseId(id) ? id : fallback;
}
