import { CONTRACT } from './contract.js';
import { ContractUsageError, ERROR_CODES } from './errors.js';
import { isScopedId, isUlid, requireId } from './ids.js';

/** A Valkey key family of x-valkey.families. */
export type ValkeyFamily = keyof typeof CONTRACT.valkey.families;

/** A key split back into its family and scope, or why it is not a contract key. */
export type ValkeyKeyParse =
  | { ok: true; family: ValkeyFamily; tenantId: string; agentId: string; episodeId?: string; name?: string }
  | { ok: false; reason: string };

type Param = 'tenant_id' | 'agent_id' | 'episode_id' | 'name';
type Token = { literal: string } | { param: Param };

const CHECKS: Record<Param, (v: unknown) => v is string> = {
  tenant_id: isScopedId,
  agent_id: isScopedId,
  episode_id: isUlid,
  name: isScopedId,
};

// 'tenant:{tenant_id}:agent:{agent_id}:presence:{name}' -> tokens. No part may contain ':', so a
// key splits on ':' into exactly one reading: the key-to-scope map is injective.
function tokens(pattern: string): Token[] {
  return pattern.split(':').map((part) => {
    const m = /^\{(tenant_id|agent_id|episode_id|name)\}$/.exec(part);
    return m ? { param: m[1] as Param } : { literal: part };
  });
}

const FAMILIES = Object.entries(CONTRACT.valkey.families).map(([family, spec]) => ({
  family: family as ValkeyFamily,
  tokens: tokens(spec.pattern),
}));

const TENANT_SCOPE = '{tenant_id}:';
const KEY_PREFIXES = new Set(
  Object.values(CONTRACT.valkey.families).map((f) => f.pattern.slice(0, f.pattern.indexOf(TENANT_SCOPE))),
);
if (KEY_PREFIXES.size !== 1)
  throw new Error(`x-valkey families do not share one tenant prefix: ${[...KEY_PREFIXES].join(', ')}`);
const [KEY_PREFIX = ''] = KEY_PREFIXES;

/** `tenant:{t}:`, what every key of the tenant starts with (CT-5.tenant-prefix); throws for a bad id. */
export function tenantKeyPrefix(tenantId: string): string {
  return `${KEY_PREFIX}${requireId(tenantId, isScopedId, 'tenant_id')}:`;
}

function build(family: ValkeyFamily, values: Record<Param, string | undefined>): string {
  const spec = FAMILIES.find((f) => f.family === family);
  if (spec === undefined)
    throw new ContractUsageError(ERROR_CODES.INVALID_ARGUMENT, `unknown family ${family}`);
  return spec.tokens
    .map((token) => {
      if ('literal' in token) return token.literal;
      const value = values[token.param];
      if (!CHECKS[token.param](value)) {
        throw new ContractUsageError(
          ERROR_CODES.INVALID_ID,
          `${family} key: ${token.param} ${JSON.stringify(value)} is outside the contract's format`,
        );
      }
      return value;
    })
    .join(':');
}

/** `tenant:{t}:agent:{a}:presence:{name}`; throws ContractUsageError('INVALID_ID') for a bad part. */
export function presenceKey(tenantId: string, agentId: string, name: string): string {
  return build('presence', { tenant_id: tenantId, agent_id: agentId, episode_id: undefined, name });
}

/** `tenant:{t}:agent:{a}:rate_limit:{name}`; throws ContractUsageError('INVALID_ID') for a bad part. */
export function rateLimitKey(tenantId: string, agentId: string, name: string): string {
  return build('rate_limit', { tenant_id: tenantId, agent_id: agentId, episode_id: undefined, name });
}

/** `tenant:{t}:episode:{episode_id}:cache:{agent_id}`; throws ContractUsageError('INVALID_ID'). */
export function cacheKey(tenantId: string, episodeId: string, agentId: string): string {
  return build('cache', { tenant_id: tenantId, agent_id: agentId, episode_id: episodeId, name: undefined });
}

/**
 * Reads a key back: which family, and whose. Rejects keys outside the families (CT-5.families)
 * and, when `expectedTenantId` is given, keys of any other tenant (CT-5.tenant-prefix).
 */
export function parseValkeyKey(key: string, expectedTenantId?: string): ValkeyKeyParse {
  if (typeof key !== 'string') return { ok: false, reason: 'key is not a string' };
  const parts = key.split(':');
  for (const { family, tokens: expected } of FAMILIES) {
    if (parts.length !== expected.length) continue;
    const values: Partial<Record<Param, string>> = {};
    const fits = expected.every((token, i) => {
      const part = parts[i] as string;
      if ('literal' in token) return part === token.literal;
      values[token.param] = part;
      return CHECKS[token.param](part);
    });
    if (!fits) continue;
    const tenantId = values.tenant_id as string;
    if (expectedTenantId !== undefined && tenantId !== expectedTenantId) {
      return { ok: false, reason: `key belongs to tenant '${tenantId}', not '${expectedTenantId}'` };
    }
    return {
      ok: true,
      family,
      tenantId,
      agentId: values.agent_id as string,
      ...(values.episode_id !== undefined ? { episodeId: values.episode_id } : {}),
      ...(values.name !== undefined ? { name: values.name } : {}),
    };
  }
  return { ok: false, reason: 'key is not in any allowed family (x-valkey.families)' };
}
