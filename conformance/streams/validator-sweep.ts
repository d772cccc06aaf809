import { decodeEpisodeEvent, type EpisodeEvent } from 'continuum-contract';
import { CORRUPTIONS } from '../arbitraries/corruption.js';
import type { CorruptionKind } from '../arbitraries/corruption.js';
import type { EventObject } from './event-spec.js';

/**
 * The corruption catalog a consumer must reject. Producer-only kinds (unknown fields) are left
 * out: consumers tolerate them (CT-3.unknown-fields), which the oracle property checks.
 */
export const SWEEP_KINDS: readonly CorruptionKind[] = CORRUPTIONS.filter((c) =>
  c.rejectedIn.includes('consumer'),
);

/**
 * CT-11.reflex-refs: payloads on the bus carry references (content_ref shape, CT-3.size). A
 * projector that dead-letters a body-shaped content_ref or embedding_ref, and an oversize
 * message, enforces it on the consuming side.
 */
export const REFLEX_REFS: ReadonlySet<string> = new Set([
  'CT-3.payload.content_ref',
  'CT-3.payload.embedding_ref',
  'CT-3.size',
]);

/** One sweep message: the corrupted body, the clause it breaks and the clauses it also credits. */
export interface SweepMessage {
  data: string;
  clause: string;
  label: string;
  credits: string[];
}

/** Applies catalog kind `index` to `base`; undefined when the body cannot be sent as a string. */
export function sweepMessage(index: number, base: EventObject): SweepMessage | undefined {
  const kind = SWEEP_KINDS[index];
  if (kind === undefined) return undefined;
  const body = kind.apply(base as unknown as EpisodeEvent);
  // Schedules are JSON files: a body that is not a JS string (invalid UTF-8) cannot replay.
  if (typeof body !== 'string') return undefined;
  // Never send a valid event labelled invalid.
  if (decodeEpisodeEvent(body, 'consumer').ok) return undefined;
  return {
    data: body,
    clause: kind.clauseId,
    label: `sweep: ${kind.kind}`,
    credits: REFLEX_REFS.has(kind.clauseId) ? ['CT-11.reflex-refs'] : [],
  };
}
