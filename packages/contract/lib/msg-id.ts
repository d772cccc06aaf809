import { isEventId, isScopedId, requireId } from './ids.js';

/**
 * The JetStream `Nats-Msg-Id` of an event (CT-3.msg-id): '{tenant_id}:{agent_id}:{event_id}'.
 * The duplicate window spans the stream, so the whole idempotency key goes in; ':' occurs in
 * none of the parts, so the join is unambiguous. Throws ContractUsageError('INVALID_ID').
 */
export function brokerMsgId(tenantId: string, agentId: string, eventId: string): string {
  return `${requireId(tenantId, isScopedId, 'tenant_id')}:${requireId(agentId, isScopedId, 'agent_id')}:${requireId(eventId, isEventId, 'event_id')}`;
}
