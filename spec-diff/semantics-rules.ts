import { type Finding, finding } from './finding.js';
import { isObject, showChange } from './json-utils.js';
import { classifyLeaves, leafChanges } from './leaf-changes.js';
import type { RuleModule } from './rule-module.js';
import { rolloutPhasesRule } from './rollout-rule.js';
import { compareSchemas } from './schema-compat.js';

/**
 * Normative extensions whose every non-doc change alters behaviour both sides implement:
 * a rewording of normative text cannot be told from a change of meaning, so it is breaking
 * (whitespace-only re-wrapping is doc-only).
 */
const NORMATIVE = [
  'x-delivery',
  'x-event-semantics',
  'x-export-policy',
  'x-failure-semantics',
  'x-rollout',
  'x-replay',
];

/** semantics: delivery keys and tie-break, event meanings, replay, export and failure policy, rollout. */
export const semanticsRules: RuleModule = async ({ base, head, sourceOf, tolerateUnknown }) => {
  const findings: Finding[] = [];
  for (const ext of NORMATIVE) {
    const changes = leafChanges(base.doc[ext], head.doc[ext], `/${ext}`);
    findings.push(
      ...classifyLeaves(changes, 'semantics', sourceOf, (c) => {
        const at = { category: 'semantics' as const, pointer: c.pointer, before: c.before, after: c.after };
        const [section, name, field] = c.path;
        if (ext === 'x-event-semantics' && section === 'event_types' && name !== undefined) {
          if (c.action === 'add')
            return finding({
              ...at,
              rule: 'semantics.event-type-added',
              reason: `event type ${name} given a meaning (its wire enum value is judged under wire)`,
            });
          if (c.action === 'remove')
            return finding({
              ...at,
              rule: 'semantics.event-type-removed',
              breaks: ['reader', 'writer'],
              reason: `event type ${name} lost its meaning: existing writers send it and existing readers apply it`,
            });
          return finding({
            ...at,
            rule: 'semantics.event-meaning-changed',
            breaks: ['reader', 'writer'],
            reason: `meaning of ${name} changed: projections of the same events differ between old and new readers`,
          });
        }
        if (ext === 'x-replay' && section === 'parameters' && name !== undefined) {
          if (c.action === 'add' && field === undefined) {
            const required = isObject(c.after) && c.after.required === true;
            return finding({
              ...at,
              rule: 'semantics.replay-parameter-added',
              breaks: required ? ['writer'] : [],
              reason: required
                ? `required replay parameter ${name} added: existing callers omit it`
                : `optional replay parameter ${name} added`,
            });
          }
          if (c.action === 'remove' && field === undefined)
            return finding({
              ...at,
              rule: 'semantics.replay-parameter-removed',
              breaks: ['writer'],
              reason: `replay parameter ${name} removed: existing callers pass it`,
            });
          if (field === 'required')
            return finding({
              ...at,
              rule: 'semantics.replay-parameter-required',
              breaks: c.after === true ? ['writer'] : [],
              reason:
                c.after === true
                  ? `replay parameter ${name} now required: existing callers may omit it`
                  : `replay parameter ${name} now optional`,
            });
        }
        if (ext === 'x-rollout' && section === 'phases' && c.path.length === 1) return rolloutPhasesRule(c);
        if (ext === 'x-replay' && section === 'parameters_schema')
          return finding({
            ...at,
            rule: 'semantics.replay-schema-moved',
            reason: 'replay parameter schema path changed; the schemas are compared below',
          });
        const what =
          ext === 'x-delivery' ? `delivery ${section ?? ''}` : `${ext.slice(2)} ${c.path.join('.')}`;
        return finding({
          ...at,
          rule: ext === 'x-delivery' ? 'semantics.delivery-changed' : 'semantics.behaviour-changed',
          breaks: ['reader', 'writer'],
          reason: `${what} changed (${showChange(c.before, c.after)}): normative; existing writers and readers implement the old rule`,
        });
      }),
    );
  }
  const bs = isObject(base.doc['x-replay']) ? base.doc['x-replay'].parameters_schema : undefined;
  const hs = isObject(head.doc['x-replay']) ? head.doc['x-replay'].parameters_schema : undefined;
  if (typeof bs === 'string' && typeof hs === 'string') {
    const pointer = '/x-replay/parameters_schema';
    findings.push(
      ...compareSchemas(await base.loadSchema(bs), await head.loadSchema(hs), {
        category: 'semantics',
        pointer,
        source: hs,
        tolerateUnknown,
        origins: { base: base.origins, head: head.origins },
      }),
    );
  }
  return { findings, owns: NORMATIVE.map((e) => `/${e}`) };
};
