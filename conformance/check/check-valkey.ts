import { CONTRACT, parseValkeyKey, validateCacheEntry, tenantKeyPrefix } from 'continuum-contract';
import { addEvidence } from '../core/finding.js';
import type { CheckOutcome, Finding } from '../core/finding.js';
import { BODY_MARKER } from '../streams/event-parts.js';
import type { ObservedKey, ObservedRow } from '../target/observation.js';
import { checkCacheCurrent } from './check-cache-current.js';
import { eventKey } from './schedule-facts.js';
import type { ScheduleFacts } from './schedule-facts.js';

/**
 * Every key of the run is in an allowed family (CT-5.families), prefixed with one of the run's
 * own tenants (CT-5.tenant-prefix), carries a TTL within its bound (CT-5.cache-ttl), and holds
 * no body: a cache value validates against cache-entry.schema.json and nothing holds the
 * marker the kit planted in metadata (CT-5.no-body). A cache entry belongs to its own row and
 * holds that row's current fields (CT-5.cache-current).
 */
export function checkValkey(
  facts: ScheduleFacts,
  keys: ObservedKey[],
  tenants: string[],
  rows: ObservedRow[],
  /** A kill -9 between commit and the cache write leaves the old entry until its TTL: not judged. */
  judgeCacheCurrent = true,
): CheckOutcome {
  const out: Finding[] = [];
  const evidence: CheckOutcome['evidence'] = new Map();
  const cacheEntries: {
    key: string;
    tenantId: string;
    agentId: string;
    episodeId: string;
    entry: unknown;
  }[] = [];
  for (const k of keys) {
    addEvidence(evidence, 'CT-5.families');
    addEvidence(evidence, 'CT-5.tenant-prefix');
    const parsed = parseValkeyKey(k.key);
    if (!parsed.ok) {
      const prefixed = tenants.some((t) => k.key.startsWith(tenantKeyPrefix(t)));
      out.push({
        clauseId: prefixed ? 'CT-5.families' : 'CT-5.tenant-prefix',
        message: `key ${JSON.stringify(k.key)}: ${parsed.reason}`,
      });
      continue;
    }
    if (!tenants.includes(parsed.tenantId)) {
      out.push({
        clauseId: 'CT-5.tenant-prefix',
        message: `key ${k.key} carries the run's data under tenant '${parsed.tenantId}'`,
      });
    }
    const family = CONTRACT.valkey.families[parsed.family];
    const clause = parsed.family === 'cache' ? 'CT-5.cache-ttl' : 'CT-5.families';
    if (parsed.family === 'cache') addEvidence(evidence, 'CT-5.cache-ttl');
    if (k.pttl < 0)
      out.push({ clauseId: clause, message: `key ${k.key} has no TTL (bound ${family.ttl_seconds.max} s)` });
    else if (k.pttl > family.ttl_seconds.max * 1000) {
      out.push({
        clauseId: clause,
        message: `key ${k.key} has TTL ${k.pttl} ms, above the bound of ${family.ttl_seconds.max} s`,
      });
    }
    const value = k.value ?? '';
    if (k.value !== null) addEvidence(evidence, 'CT-5.no-body');
    if (value.includes(BODY_MARKER))
      out.push({
        clauseId: 'CT-5.no-body',
        message: `key ${k.key} holds the metadata the kit planted in the event: an episode body`,
      });
    if (Buffer.byteLength(value) > family.max_value_bytes) {
      out.push({
        clauseId: 'CT-5.no-body',
        message: `key ${k.key} holds ${Buffer.byteLength(value)} bytes, above ${family.max_value_bytes}`,
      });
    }
    if (parsed.family !== 'cache') continue;
    let entry: unknown;
    try {
      entry = k.type === 'string' ? JSON.parse(value) : undefined;
    } catch {
      entry = undefined;
    }
    const result = validateCacheEntry(entry);
    if (!result.ok) {
      const first = result.errors[0];
      out.push({
        clauseId: 'CT-5.no-body',
        message: `cache value of ${k.key} is not a cache entry (${first?.path ?? ''} ${first?.message ?? ''}): ${value.slice(0, 120)}`,
      });
      continue;
    }
    const rowEvents =
      facts.byKey.get(eventKey(parsed.tenantId, parsed.agentId, parsed.episodeId ?? '')) ?? [];
    if (!rowEvents.some((e) => e.event_id === result.value.last_event_id)) {
      out.push({
        clauseId: 'CT-7.tenant-isolation',
        message: `cache ${k.key} holds event ${result.value.last_event_id}, which is not an event of that tenant/agent/episode`,
      });
      continue;
    }
    cacheEntries.push({
      key: k.key,
      tenantId: parsed.tenantId,
      agentId: parsed.agentId,
      episodeId: parsed.episodeId ?? '',
      entry: result.value,
    });
  }
  if (judgeCacheCurrent) {
    const current = checkCacheCurrent(cacheEntries, rows);
    out.push(...current.findings);
    for (const [c, n] of current.evidence) addEvidence(evidence, c, n);
  }
  return { findings: out, evidence };
}
