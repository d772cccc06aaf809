/**
 * Per-identity NATS publish/subscribe permissions and inbox prefixes, mirroring asyncapi.yaml
 * `x-security` (a unit test keeps the two equal). Tenant isolation rests on these lists: a producer
 * may publish only under its own tenant's subject prefix and receive replies only on its own inbox
 * prefix, and no tenant may subscribe to the inboxes on which the projector and the kit receive
 * every tenant's messages (CT-7.tenant-isolation).
 */
import {
  ContractUsageError,
  ERROR_CODES,
  isScopedId,
  episodeSubjectFilter,
  dlqSubjectFilter,
} from 'continuum-contract';

/** Subjects one identity may publish to and subscribe to (allow lists; everything else is denied). */
export interface SubjectPermissions {
  publish: string[];
  subscribe: string[];
}

/**
 * Inbox roots. None lies under `_INBOX.`, the nats.js default, so a deployment that still grants
 * `_INBOX.>` to tenants does not hand them the projector's pulls.
 */
export const INBOX_PREFIXES = {
  producer: '_INBOX_PRODUCER',
  projector: '_INBOX_PROJECTOR',
  kit: '_INBOX_KIT',
} as const;

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

/**
 * The account of tenant `tenantId` in the account-per-tenant layout (x-security.accounts): its
 * producer, projector and admin, and its own copy of the contract's streams.
 */
export function tenantAccountName(tenantId: string): string {
  assertTenantId(tenantId);
  return `TENANT_${tenantId}`;
}

/** The inbox prefix (nats.js `inboxPrefix`) of tenant `tenantId`'s producer connections. */
export function producerInboxPrefix(tenantId: string): string {
  assertTenantId(tenantId);
  return `${INBOX_PREFIXES.producer}.${tenantId}`;
}

/**
 * The producer of one tenant: publish its own episodes and receive the JetStream publish acks on
 * its own inbox prefix. A JetStream publish is a plain request to the stream subject, so no
 * `$JS.API` subject is needed.
 */
export function producerPermissions(tenantId: string): SubjectPermissions {
  return {
    publish: [episodeSubjectFilter(tenantId, '>')],
    subscribe: [`${producerInboxPrefix(tenantId)}.>`],
  };
}

/** The projector: consume every tenant's episodes, use the JetStream API, ack, and dead-letter. */
export function projectorPermissions(): SubjectPermissions {
  return {
    publish: [dlqSubjectFilter(), '$JS.API.>', '$JS.ACK.>'],
    subscribe: [episodeSubjectFilter(), '$JS.API.>', `${INBOX_PREFIXES.projector}.>`],
  };
}

/**
 * The deliberately weakened 'shared-inboxes' deployment (the design before inbox prefixes): every
 * inbox permission in `p` becomes `_INBOX.>`, the nats.js default root that every client shares.
 */
export function sharedInboxPermissions(p: SubjectPermissions): SubjectPermissions {
  const roots = Object.values(INBOX_PREFIXES).map((root) => `${root}.`);
  const subscribe = p.subscribe.filter((s) => !roots.some((root) => s.startsWith(root)));
  return { publish: [...p.publish], subscribe: [...subscribe, '_INBOX.>'] };
}
