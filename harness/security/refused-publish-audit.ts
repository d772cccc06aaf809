/**
 * The audit entry (schemas/audit-entry.schema.json, action 'publish_refused') for an action the bus
 * refused. The caller writes it to its audit sink; this only builds it.
 */
import { parseEpisodeSubject, type AuditEntry } from 'continuum-contract';
import type { PermissionDeniedError } from './permission-denied-error.js';

export type { AuditEntry };

/** Where audit entries go (a table, a log, a file): the producer or projector supplies it. */
export type AuditSink = (entry: AuditEntry) => void | Promise<void>;

/**
 * Audit entry for a refused publish or subscription. tenant_id/agent_id are those of the subject
 * that was refused, when it is a well-formed episode subject; `extra` (for example the
 * event_id) goes into params.
 */
export function refusedPublishAudit(
  error: PermissionDeniedError,
  extra: Record<string, unknown> = {},
  at: Date = new Date(),
): AuditEntry {
  const scope = parseEpisodeSubject(error.subject);
  return {
    actor: error.identity.slice(0, 256),
    action: 'publish_refused',
    ...(scope.ok ? { tenant_id: scope.tenantId, agent_id: scope.agentId } : {}),
    params: { ...extra, subject: error.subject, operation: error.operation, code: error.code },
    outcome: 'refused',
    detail: error.message.slice(0, 4096),
    at: at.toISOString(),
  };
}
