/**
 * Per-identity NATS publish/subscribe permissions, mirroring asyncapi.yaml `x-security.permissions`
 * (a unit test keeps the two equal). Tenant isolation rests on these lists: a producer may publish
 * only under its own tenant's subject prefix (CT-7.tenant-isolation).
 */
import { ContractUsageError, ERROR_CODES, isScopedId } from '../../lib/index.js';

/** Subjects one identity may publish to and subscribe to (allow lists; everything else is denied). */
export interface SubjectPermissions {
  publish: string[];
  subscribe: string[];
}

/**
 * Throws ContractUsageError (INVALID_ID) when `tenantId` is not a contract `scoped_id`: the id is spliced into server
 * config, certificate subjects and permission subjects, where a '.', '*', '>' or quote would widen
 * a permission or break the config.
 */
export function assertTenantId(tenantId: string): void {
  if (!isScopedId(tenantId)) {
    throw new ContractUsageError(
      ERROR_CODES.INVALID_ID,
      `tenant id ${JSON.stringify(tenantId)} is not a scoped_id (^[a-z0-9][a-z0-9_-]{0,63}$); refusing to put it in NATS permissions`,
    );
  }
}

/** The producer of one tenant: publish its own episodes, receive JetStream publish acks on `_INBOX.>`. */
export function producerPermissions(tenantId: string): SubjectPermissions {
  assertTenantId(tenantId);
  return { publish: [`continuum.episode.v1.${tenantId}.>`], subscribe: ['_INBOX.>'] };
}

/** The projector: consume every tenant's episodes, use the JetStream API, ack, and dead-letter. */
export function projectorPermissions(): SubjectPermissions {
  return {
    publish: ['continuum.episode.dlq.v1.*.*', '$JS.API.>', '$JS.ACK.>'],
    subscribe: ['continuum.episode.v1.*.*', '$JS.API.>', '_INBOX.>'],
  };
}
