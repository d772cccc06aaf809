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

/** `continuum.episode.v1.`: what every episode subject starts with (channels.episodeEvents). */
export const EPISODE_SUBJECT_PREFIX = prefixOf(CONTRACT.subjects.episode);
/** `continuum.episode.dlq.v1.`: what every DLQ subject starts with (channels.episodeDlq). */
export const DLQ_SUBJECT_PREFIX = prefixOf(CONTRACT.subjects.dlq);

const isDlqScope = (v: unknown): v is string => v === RESERVED || isScopedId(v);

const tokenOr =
  (isScope: (v: unknown) => v is string, wildcards: readonly string[]) =>
  (v: unknown): v is string =>
    (typeof v === 'string' && wildcards.includes(v)) || isScope(v);

function filterOf(
  prefix: string,
  isScope: (v: unknown) => v is string,
  tenantId: string,
  agentId: string,
): string {
  return `${prefix}${requireId(tenantId, tokenOr(isScope, ['*']), 'tenant_id')}.${requireId(agentId, tokenOr(isScope, ['*', '>']), 'agent_id')}`;
}

/**
 * A NATS filter on episode subjects, e.g. one tenant's `continuum.episode.v1.t1.*`: an omitted id
 * is `*`, and the agent may be `>`. Throws ContractUsageError('INVALID_ID') for any other bad id.
 */
export function episodeSubjectFilter(tenantId = '*', agentId = '*'): string {
  return filterOf(EPISODE_SUBJECT_PREFIX, isScopedId, tenantId, agentId);
}

/** A NATS filter on DLQ subjects, like {@link episodeSubjectFilter} ('_invalid' allowed). */
export function dlqSubjectFilter(tenantId = '*', agentId = '*'): string {
  return filterOf(DLQ_SUBJECT_PREFIX, isDlqScope, tenantId, agentId);
}

/** `continuum.episode.v1.{tenant_id}.{agent_id}`; throws ContractUsageError('INVALID_ID') for a bad id. */
export function episodeSubject(tenantId: string, agentId: string): string {
  return `${EPISODE_SUBJECT_PREFIX}${requireId(tenantId, isScopedId, 'tenant_id')}.${requireId(agentId, isScopedId, 'agent_id')}`;
}

/** `continuum.episode.dlq.v1.{tenant_id}.{agent_id}`; either id may be the reserved '_invalid'. */
export function dlqSubject(tenantId: string, agentId: string): string {
  return `${DLQ_SUBJECT_PREFIX}${requireId(tenantId, isDlqScope, 'tenant_id')}.${requireId(agentId, isDlqScope, 'agent_id')}`;
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
  return parse(subject, EPISODE_SUBJECT_PREFIX, isScopedId);
}

/** Splits a DLQ subject into tenant and agent ('_invalid' allowed). */
export function parseDlqSubject(subject: string): SubjectParse {
  return parse(subject, DLQ_SUBJECT_PREFIX, isDlqScope);
}
