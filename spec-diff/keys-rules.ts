import { type Finding, finding } from './finding.js';
import { isObject, showChange } from './json-utils.js';
import { classifyLeaves, leafChanges, numericChange } from './leaf-changes.js';
import type { RuleModule } from './rule-module.js';
import { compareSchemas } from './schema-compat.js';

const record = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});

/**
 * keys: Valkey key families, their patterns, TTL bounds, value size and value schema.
 * Writers are the processes that set keys; readers are those that read them (serving, presence).
 */
export const keysRules: RuleModule = async ({ base, head, sourceOf, tolerateUnknown }) => {
  const b = record(base.doc['x-valkey']);
  const h = record(head.doc['x-valkey']);
  const findings = classifyLeaves(leafChanges(b, h, '/x-valkey'), 'keys', sourceOf, (c) => {
    const at = { category: 'keys' as const, pointer: c.pointer, before: c.before, after: c.after };
    const [section, family, field, bound] = c.path;
    if (section === 'rules')
      return finding({
        ...at,
        rule: 'keys.doc',
        classification: 'doc-only',
        reason: 'rule text restates clauses CT-5.*; no key or bound changed',
      });
    if (section === 'segment_pattern')
      return finding({
        ...at,
        rule: 'keys.segment-pattern-changed',
        breaks: ['reader', 'writer'],
        reason: `key segment pattern changed (${showChange(c.before, c.after)}): existing writers build, and readers parse, keys with the old segments`,
      });
    if (section !== 'families' || family === undefined) return undefined;
    if (field === undefined) {
      return c.action === 'add'
        ? finding({
            ...at,
            rule: 'keys.family-added',
            reason: `key family '${family}' added: existing writers never set it, existing readers never read it`,
          })
        : finding({
            ...at,
            rule: 'keys.family-removed',
            breaks: ['writer', 'reader'],
            reason: `key family '${family}' removed: existing writers' keys now break CT-5.families, and readers lose them`,
          });
    }
    if (field === 'pattern')
      return finding({
        ...at,
        rule: 'keys.pattern-changed',
        breaks: ['reader', 'writer'],
        reason: `key pattern of '${family}' changed (${showChange(c.before, c.after)}): existing writers and readers use the old keys`,
      });
    if (field === 'ttl_seconds' && (bound === 'min' || bound === 'max')) {
      const tightened = numericChange(c, bound === 'max') === 'tightened';
      if (tightened)
        return finding({
          ...at,
          rule: 'keys.ttl-tightened',
          breaks: ['writer'],
          reason: `TTL ${bound} of '${family}' tightened (${showChange(c.before, c.after)}): existing writers may set TTLs now out of bounds`,
        });
      return bound === 'max'
        ? finding({
            ...at,
            rule: 'keys.ttl-loosened',
            breaks: ['reader'],
            reason: `TTL max of '${family}' raised (${showChange(c.before, c.after)}): readers rely on it as a staleness bound (CT-5.cache-ttl), which new writers may exceed`,
          })
        : finding({
            ...at,
            rule: 'keys.ttl-loosened',
            reason: `TTL min of '${family}' lowered (${showChange(c.before, c.after)}): keys may expire sooner, which readers already handle as a miss`,
          });
    }
    if (field === 'max_value_bytes') {
      return numericChange(c, true) === 'tightened'
        ? finding({
            ...at,
            rule: 'keys.value-size-tightened',
            breaks: ['writer'],
            reason: `max value size of '${family}' lowered (${showChange(c.before, c.after)}): existing writers may store larger values`,
          })
        : finding({
            ...at,
            rule: 'keys.value-size-loosened',
            reason: `max value size of '${family}' raised (${showChange(c.before, c.after)}): readers parse values without a size assumption; the bound keeps bodies out (CT-5.no-body)`,
          });
    }
    if (field === 'value_schema')
      return finding({
        ...at,
        rule: 'keys.value-schema-moved',
        reason: 'value schema file path changed; the schemas themselves are compared below',
      });
    return undefined;
  });
  // Value schemas are JSON Schemas like payloads: compare them with the wire rules, as keys.
  const bf = record(b.families);
  const hf = record(h.families);
  for (const family of Object.keys(hf).filter((f) => f in bf)) {
    const bp = record(bf[family]).value_schema;
    const hp = record(hf[family]).value_schema;
    if (typeof bp !== 'string' || typeof hp !== 'string') continue;
    const pointer = `/x-valkey/families/${family}/value_schema`;
    findings.push(
      ...compareSchemas(await base.loadSchema(bp), await head.loadSchema(hp), {
        category: 'keys',
        pointer,
        source: hp,
        tolerateUnknown,
        origins: { base: base.origins, head: head.origins },
      }),
    );
  }
  return { findings: findings as Finding[], owns: ['/x-valkey'] };
};
