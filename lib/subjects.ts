import { CONTRACT } from './contract.js';
import { isScopedId, requireId } from './ids.js';

/** A subject split back into its scope, or why it is not one of the contract's subjects. */
export type SubjectParse = { ok: true; tenantId: string; agentId: string } | { ok: false; reason: string };

const RESERVED = CONTRACT.dlqReservedScope;

function prefixOf(template: string): string {
  const suffix = '{tenant_id}.{agent_id}';
  if (!template.endsWith(suffix)) throw new Error(`unexpected subject template ${template}`);
  return template.slice(0, -suffix.length);
}

const EPISODE_PREFIX = prefixOf(CONTRACT.subjects.episode);
const DLQ_PREFIX = prefixOf(CONTRACT.subjects.dlq);

const isDlqScope = (v: unknown): v is string => v === RESERVED || isScopedId(v);

/** `continuum.episode.v1.{tenant_id}.{agent_id}`; throws ContractUsageError('INVALID_ID') for a bad id. */
export function episodeSubject(tenantId: string, agentId: string): string {
  return `${EPISODE_PREFIX}${requireId(tenantId, isScopedId, 'tenant_id')}.${requireId(agentId, isScopedId, 'agent_id')}`;
}

/** `continuum.episode.dlq.v1.{tenant_id}.{agent_id}`; either id may be the reserved '_invalid'. */
export function dlqSubject(tenantId: string, agentId: string): string {
  return `${DLQ_PREFIX}${requireId(tenantId, isDlqScope, 'tenant_id')}.${requireId(agentId, isDlqScope, 'agent_id')}`;
}

function parse(subject: string, prefix: string, isScope: (v: unknown) => v is string): SubjectParse {
  if (typeof subject !== 'string' || !subject.startsWith(prefix)) {
    return { ok: false, reason: `subject does not start with '${prefix}'` };
  }
  const rest = subject.slice(prefix.length).split('.');
  if (rest.length !== 2)
    return { ok: false, reason: 'expected exactly {tenant_id}.{agent_id} after the prefix' };
  const [tenantId = '', agentId = ''] = rest;
  if (!isScope(tenantId))
    return { ok: false, reason: `tenant_id ${JSON.stringify(tenantId)} is not a contract id` };
  if (!isScope(agentId))
    return { ok: false, reason: `agent_id ${JSON.stringify(agentId)} is not a contract id` };
  return { ok: true, tenantId, agentId };
}

/** Splits an episode subject into tenant and agent; rejects wildcards, extra tokens and bad ids. */
export function parseEpisodeSubject(subject: string): SubjectParse {
  return parse(subject, EPISODE_PREFIX, isScopedId);
}

/** Splits a DLQ subject into tenant and agent ('_invalid' allowed). */
export function parseDlqSubject(subject: string): SubjectParse {
  return parse(subject, DLQ_PREFIX, isDlqScope);
}
