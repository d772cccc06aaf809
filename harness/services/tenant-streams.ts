/**
 * The per-tenant episode streams of asyncapi.yaml `x-security.per_tenant_stream`: each tenant's
 * subjects in a stream of its own, so that each tenant's JetStream duplicate window is its own and
 * no tenant can suppress another's events by publishing their Nats-Msg-Id first
 * (threat `msg-id-squatting`). Every other setting is the shared episode stream's.
 */
import { CONTRACT } from '../../lib/index.js';
import { assertTenantId } from '../security/nats-permissions.js';
import type { StreamSpec } from './ensure-streams.js';

/** The stream specs for `tenants`: one episode stream each, then the contract's other streams. */
export function tenantStreamSpecs(tenants: readonly string[]): StreamSpec[] {
  const template = CONTRACT.security.per_tenant_stream;
  const episodes = CONTRACT.streams.episodes;
  const perTenant = [...new Set(tenants)].map((tenantId) => {
    assertTenantId(tenantId);
    return {
      ...episodes,
      name: template.name.replace('{tenant_id}', tenantId),
      subjects: template.subjects.map((s) => s.replace('{tenant_id}', tenantId)),
    };
  });
  const others = Object.values(CONTRACT.streams).filter((s) => s.name !== episodes.name);
  return [...perTenant, ...others];
}
