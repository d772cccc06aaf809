import { addEvidence } from '../core/finding.js';
import type { CheckOutcome, Finding } from '../core/finding.js';
import type { ObservedRow } from '../target/observation.js';
import { canonicalJson } from './canonical-json.js';
import { canonicalOr, eventKey } from './schedule-facts.js';

/** A schema-valid cache entry and the row it names. */
export interface CacheEntryOfRow {
  key: string;
  tenantId: string;
  agentId: string;
  episodeId: string;
  entry: unknown;
}

const FIELDS = ['content_ref', 'summary', 'tags', 'embedding_ref', 'last_event_id', 'last_event_ts'] as const;

/**
 * CT-5.cache-current: a cache entry holds its row's current fields, and a deleted episode has
 * no cache entry. Absent entries are always allowed (the cache is short-lived and optional),
 * so each deleted row whose key was looked for is a situation of the check too.
 */
export function checkCacheCurrent(entries: CacheEntryOfRow[], rows: ObservedRow[]): CheckOutcome {
  const findings: Finding[] = [];
  const evidence: CheckOutcome['evidence'] = new Map();
  const byRow = new Map(rows.map((r) => [eventKey(r.tenant_id, r.agent_id, r.episode_id), r]));
  const cached = new Set<string>();
  for (const c of entries) {
    const k = eventKey(c.tenantId, c.agentId, c.episodeId);
    cached.add(k);
    addEvidence(evidence, 'CT-5.cache-current');
    const row = byRow.get(k);
    if (row === undefined) {
      findings.push({
        clauseId: 'CT-5.cache-current',
        message: `cache ${c.key} exists but its row ${k} does not`,
      });
      continue;
    }
    if (row.deleted) {
      findings.push({
        clauseId: 'CT-5.cache-current',
        message: `cache ${c.key} is still present although episode ${k} is deleted (removed when the episode is deleted)`,
      });
      continue;
    }
    const entry = c.entry as Record<string, unknown>;
    const expected: Record<(typeof FIELDS)[number], unknown> = {
      content_ref: row.content_ref,
      summary: row.summary ?? undefined,
      tags: row.tags,
      embedding_ref: row.embedding_ref ?? undefined,
      last_event_id: row.last_event_id,
      last_event_ts: row.last_event_ts,
    };
    const diff = FIELDS.filter((f) => {
      const found = f === 'last_event_ts' && typeof entry[f] === 'string' ? canonicalOr(entry[f]) : entry[f];
      return canonicalJson(found ?? null) !== canonicalJson(expected[f] ?? null);
    });
    if (diff.length > 0)
      findings.push({
        clauseId: 'CT-5.cache-current',
        message: `cache ${c.key} differs from its row in ${diff.map((f) => `${f} (cache ${canonicalJson(entry[f] ?? null)}, row ${canonicalJson(expected[f] ?? null)})`).join(', ')}`,
      });
  }
  for (const [k, row] of byRow)
    if (row.deleted && !cached.has(k)) addEvidence(evidence, 'CT-5.cache-current');
  return { findings, evidence };
}
