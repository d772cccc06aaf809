import type { ClauseSide } from 'continuum-contract';

/** An implementation a conformance run can test (`--target projector`, `producer`, or both for `reference`). */
export type TestedSide = Extract<ClauseSide, 'producer' | 'projector'>;

/**
 * Whether a clause binds only an implementation the run does not test. Clauses of `both` sides
 * bind whichever runs; `deployment` clauses bind no implementation, so no run leaves them out.
 */
export function outsideRun(side: ClauseSide, tested: readonly TestedSide[]): boolean {
  return (side === 'producer' || side === 'projector') && !tested.includes(side);
}
