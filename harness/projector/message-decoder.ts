import { decodeEpisodeEvent, parseEpisodeSubject } from 'continuum-contract';
import { prepareEvent, unprojectableReason, type PreparedEvent } from './prepared-event.js';

/** Why a message goes to the DLQ instead of the projection. */
export interface Rejection {
  reason: string;
  clauseId: string;
  /** Scope from the subject; undefined when the subject is malformed. */
  scope?: { tenantId: string; agentId: string };
  /** The parsed JSON, when the body parsed. */
  parsed?: unknown;
}

export type DecodedMessage = { ok: true; prepared: PreparedEvent } | { ok: false; rejection: Rejection };

function tryParse(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data)) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Subject, then body (lib's consumer-mode decoder: size and nesting bounded, unknown fields
 * tolerated), then the subject/envelope match (CT-4.subject-match), then what PostgreSQL can
 * store. Never throws: whatever goes wrong with one message is that message's rejection.
 */
export function decodeMessage(subject: string, data: Uint8Array): DecodedMessage {
  try {
    return decodeChecked(subject, data);
  } catch (error) {
    const subj = parseEpisodeSubject(subject);
    return {
      ok: false,
      rejection: {
        reason: `cannot be decoded: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        clauseId: 'CT-4.poison',
        ...(subj.ok ? { scope: { tenantId: subj.tenantId, agentId: subj.agentId } } : {}),
      },
    };
  }
}

function decodeChecked(subject: string, data: Uint8Array): DecodedMessage {
  const subj = parseEpisodeSubject(subject);
  if (!subj.ok) {
    return {
      ok: false,
      rejection: {
        reason: `subject ${subject}: ${subj.reason}`,
        clauseId: 'CT-3.topic',
        parsed: tryParse(data),
      },
    };
  }
  const scope = { tenantId: subj.tenantId, agentId: subj.agentId };
  const decoded = decodeEpisodeEvent(data, 'consumer');
  if (!decoded.ok) {
    const first = decoded.errors[0];
    const reason = decoded.errors.map((e) => `${e.path || '/'}: ${e.message} [${e.clauseId}]`).join('; ');
    return {
      ok: false,
      rejection: { reason, clauseId: first?.clauseId ?? 'CT-4.dlq', scope, parsed: tryParse(data) },
    };
  }
  const event = decoded.value;
  if (event.tenant_id !== scope.tenantId || event.agent_id !== scope.agentId) {
    return {
      ok: false,
      rejection: {
        reason: `envelope ${event.tenant_id}/${event.agent_id} does not match subject ${subject}`,
        clauseId: 'CT-4.subject-match',
        scope,
        parsed: event,
      },
    };
  }
  const unstorable = unprojectableReason(event);
  if (unstorable !== undefined) {
    return {
      ok: false,
      rejection: { reason: unstorable, clauseId: 'CT-4.dlq', scope, parsed: tryParse(data) },
    };
  }
  return { ok: true, prepared: prepareEvent(event) };
}
