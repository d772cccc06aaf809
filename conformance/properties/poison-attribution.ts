import type { Violation } from '../check/violation.js';

/** What a consumer held up by poison shows: rows missing, poison neither dead-lettered nor consumed. */
const HELD_UP = new Set(['CT-4.consume', 'CT-4.dlq', 'CT-6.dlq']);

/**
 * In a run that starts with poison (poison-input.ts), a missing row or a missing dead letter
 * means the poison held up consumption: named CT-4.poison, keeping the clause the generic check
 * gave. Other violations (guard, isolation, unknown fields...) keep their own clause.
 */
export function attributePoison(violations: Violation[]): Violation[] {
  return violations.map((v) =>
    HELD_UP.has(v.clauseId)
      ? { clauseId: 'CT-4.poison', message: `${v.message} [after poison messages; ${v.clauseId}]` }
      : v,
  );
}
