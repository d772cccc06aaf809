import type { Check, CheckOutcome, Finding } from '../core/finding.js';

/** The projector's output and the events its events table recorded as stale (event_id -> tenant_id). */
export interface StaleLogInput {
  log: string;
  stale: ReadonlyMap<string, string>;
}

/** Findings listed one by one, the rest summed up in one. */
const LISTED = 5;

/** Event ids in any log format: ULIDs and UUIDs, compared case-insensitively. */
const ID_TOKEN =
  /\b(?:[0-9A-Za-z]{26}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\b/g;

/**
 * CT-4.stale's log half: "stale update handling: log + metric + no overwrite". A log line that
 * does not name the event cannot tell an operator which update was dropped, so every event the
 * projector itself recorded as stale must be named (by event_id, in any format) somewhere in its
 * output. Only possible when the kit started the projector and holds that output.
 */
export const staleLogCheck: Check<StaleLogInput> = {
  name: 'stale-log',
  clauses: ['CT-4.stale'],
  run({ log, stale }): CheckOutcome {
    const named = new Set([...log.matchAll(ID_TOKEN)].map((m) => m[0].toLowerCase()));
    const missing = [...stale].filter(([eventId]) => !named.has(eventId.toLowerCase()));
    const findings: Finding[] = missing.slice(0, LISTED).map(([eventId, tenant]) => ({
      clauseId: 'CT-4.stale',
      message: `event ${eventId} (tenant ${tenant}) is recorded as stale in the events table, but no line of the projector's output names it: stale updates must be logged`,
    }));
    if (missing.length > LISTED)
      findings.push({
        clauseId: 'CT-4.stale',
        message: `${missing.length - LISTED} more stale events of ${stale.size} are not named in the projector's output`,
      });
    return { findings, evidence: new Map(missing.length === 0 ? [['CT-4.stale', stale.size]] : []) };
  },
};
