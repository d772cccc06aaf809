import type { Observation } from '../target/observation.js';
import { canonicalJson } from './canonical-json.js';
import type { Finding } from '../core/finding.js';

/** Result of comparing the state before and after a redelivery phase. */
export interface DedupResult {
  violations: Finding[];
  /** Already-projected events whose redelivery changed a row or an events record. */
  reapplied: number;
  /** Events applied before the redelivery (the rate's denominator). */
  applied: number;
}

/**
 * A redelivered event changes nothing after its first projection (CT-4.dedup): every row
 * (updated_at included) and every events record (projected_at, outcome) stays as it was.
 */
export function checkDedup(before: Observation, after: Observation, redelivered: Set<string>): DedupResult {
  const violations: Finding[] = [];
  const key = (t: string, a: string, x: string): string => `${t}/${a}/${x}`;
  const eventsBefore = new Map(before.events.map((e) => [key(e.tenant_id, e.agent_id, e.event_id), e]));
  let reapplied = 0;
  for (const e of after.events) {
    const k = key(e.tenant_id, e.agent_id, e.event_id);
    const was = eventsBefore.get(k);
    if (was === undefined || !redelivered.has(k)) continue;
    if (canonicalJson(was) !== canonicalJson(e)) {
      reapplied++;
      violations.push({
        clauseId: 'CT-4.dedup',
        message: `redelivery of ${k} rewrote its events record: ${canonicalJson(was)} -> ${canonicalJson(e)}`,
      });
    }
  }
  const rowsBefore = new Map(before.rows.map((r) => [key(r.tenant_id, r.agent_id, r.episode_id), r]));
  for (const r of after.rows) {
    const k = key(r.tenant_id, r.agent_id, r.episode_id);
    const was = rowsBefore.get(k);
    if (was === undefined || canonicalJson(was) === canonicalJson(r)) continue;
    reapplied++;
    // Same event, same fields, only updated_at rewritten: the guard let an equal event through.
    // Fields changed under the same event: a redelivered body was applied again (dedup).
    const sameEvent =
      was.last_event_id === r.last_event_id &&
      canonicalJson({ ...was, updated_at: '' }) === canonicalJson({ ...r, updated_at: '' });
    violations.push({
      clauseId: sameEvent ? 'CT-4.guard' : 'CT-4.dedup',
      message: sameEvent
        ? `redelivering already-projected events rewrote row ${k} (updated_at ${was.updated_at} -> ${r.updated_at}) with an equal event: only a strictly greater (source_ts, event_id) may overwrite`
        : was.last_event_id === r.last_event_id
          ? `redelivering already-projected events changed row ${k} under the same last_event_id ${r.last_event_id}: a redelivered body was applied again`
          : `redelivering already-projected events changed row ${k}: last_event_id ${was.last_event_id} -> ${r.last_event_id}`,
    });
  }
  const applied = before.events.filter((e) => e.outcome === null || e.outcome === 'applied').length;
  return { violations, reapplied, applied };
}
