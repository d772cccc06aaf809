import { addEvidence } from '../core/finding.js';
import type { Evidence } from '../core/finding.js';
import { canonicalOr } from './schedule-facts.js';
import type { ScheduleFacts } from './schedule-facts.js';

/**
 * The situations the rows check guards, counted from the schedule: an event arriving after a
 * greater one (CT-4.guard), equal timestamps in one episode (CT-4.tie-break), a delete
 * (CT-4.delete), the same event id or episode id under another tenant or agent
 * (CT-3.idempotency, CT-7.tenant-isolation).
 */
export function rowSituations(facts: ScheduleFacts): Evidence {
  const evidence: Evidence = new Map();
  for (const outcome of facts.firstOutcome.values())
    if (outcome === 'stale') addEvidence(evidence, 'CT-4.guard');
  const scopesOfEvent = new Map<string, Set<string>>();
  const scopesOfEpisode = new Map<string, Set<string>>();
  for (const events of facts.byKey.values()) {
    const stamps = new Set(events.map((e) => canonicalOr(e.source_ts)));
    if (stamps.size < events.length) addEvidence(evidence, 'CT-4.tie-break');
    if (events.some((e) => e.event_type === 'episode.deleted')) addEvidence(evidence, 'CT-4.delete');
    for (const e of events) {
      const scope = `${e.tenant_id}/${e.agent_id}`;
      scopesOfEvent.set(e.event_id, (scopesOfEvent.get(e.event_id) ?? new Set()).add(scope));
      scopesOfEpisode.set(e.episode_id, (scopesOfEpisode.get(e.episode_id) ?? new Set()).add(scope));
    }
  }
  for (const scopes of scopesOfEvent.values()) if (scopes.size > 1) addEvidence(evidence, 'CT-3.idempotency');
  for (const scopes of scopesOfEpisode.values())
    if (scopes.size > 1) addEvidence(evidence, 'CT-7.tenant-isolation');
  return evidence;
}
