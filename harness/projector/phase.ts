import { CONTRACT } from 'continuum-contract';

/** A rollout phase name from x-rollout (CT-10.phases). */
export type PhaseName = (typeof CONTRACT.rollout.phases)[number]['name'];

/** The phase names, in rollout order. */
export const PHASE_NAMES: readonly PhaseName[] = CONTRACT.rollout.phases.map((p) => p.name);

/** What a phase lets the projector do: write PostgreSQL, and fill the serving cache. */
export function phaseBehaviour(name: PhaseName): { writes: boolean; serving: boolean } {
  const phase = CONTRACT.rollout.phases.find((p) => p.name === name);
  if (phase === undefined) throw new RangeError(`unknown rollout phase ${name}`);
  return { writes: phase.projector_writes, serving: phase.serving };
}

/** Type guard for a phase name given on the command line. */
export function isPhaseName(v: string): v is PhaseName {
  return (PHASE_NAMES as readonly string[]).includes(v);
}
