import { type Finding, finding, ptr } from './finding.js';
import { isObject, showChange } from './json-utils.js';
import { classifyLeaves, leafChanges, numericChange } from './leaf-changes.js';
import type { RuleModule } from './rule-module.js';
import { compareSchemas } from './schema-compat.js';

const record = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});

/**
 * x-limits upper bounds: what a reader refuses beyond them. Lowering one breaks writers (who may
 * still send up to the old bound), raising it breaks readers (who refuse above the old one).
 * For the DLQ entry bound the writer is the projector dead-lettering, the readers DLQ consumers.
 */
const LIMITS: Record<string, string> = {
  max_message_bytes: 'message size limit',
  max_nesting_depth: 'message nesting depth limit',
  max_dlq_entry_bytes: 'dead-letter entry size limit',
};

/**
 * wire: message payload and header schemas of every channel present on both sides, the
 * message size limit, and the unknown-field policy. Messages added to or removed from a
 * channel are topology (topology-rules.ts).
 */
export const wireRules: RuleModule = ({ base, head, tolerateUnknown, sourceOf }) => {
  const findings: Finding[] = [];
  const owns: string[] = [];
  const bc = record(base.doc.channels);
  const hc = record(head.doc.channels);
  for (const channel of Object.keys(hc).filter((c) => c in bc)) {
    const bm = record(record(bc[channel]).messages);
    const hm = record(record(hc[channel]).messages);
    for (const message of Object.keys(hm).filter((m) => m in bm)) {
      for (const part of ['payload', 'headers']) {
        const pointer = ptr('channels', channel, 'messages', message, part);
        owns.push(pointer);
        const b = record(bm[message])[part];
        const h = record(hm[message])[part];
        findings.push(
          ...compareSchemas(b, h, {
            category: 'wire',
            pointer,
            source:
              (isObject(h) && head.origins.get(h)) ||
              (isObject(b) && base.origins.get(b)) ||
              sourceOf(pointer),
            tolerateUnknown,
            origins: { base: base.origins, head: head.origins },
            headers: part === 'headers',
          }),
        );
      }
    }
  }
  owns.push('/x-limits', '/x-unknown-fields');
  const limits = leafChanges(base.doc['x-limits'], head.doc['x-limits'], '/x-limits');
  findings.push(
    ...classifyLeaves(limits, 'wire', sourceOf, (c) => {
      const limit = LIMITS[c.path[0] ?? ''];
      if (limit === undefined || c.path.length !== 1 || typeof (c.after ?? c.before) !== 'number')
        return undefined;
      return numericChange(c, true) === 'tightened'
        ? finding({
            category: 'wire',
            rule: 'wire.size-limit-tightened',
            pointer: c.pointer,
            breaks: ['writer'],
            before: c.before,
            after: c.after,
            reason: `${limit} lowered (${showChange(c.before, c.after)}): existing writers may send what new readers now refuse (CT-3.size)`,
          })
        : finding({
            category: 'wire',
            rule: 'wire.size-limit-loosened',
            pointer: c.pointer,
            breaks: ['reader'],
            before: c.before,
            after: c.after,
            reason: `${limit} raised (${showChange(c.before, c.after)}): new writers may send what existing readers refuse (CT-3.size)`,
          });
    }),
  );
  const unknown = leafChanges(
    base.doc['x-unknown-fields'],
    head.doc['x-unknown-fields'],
    '/x-unknown-fields',
  );
  findings.push(
    ...classifyLeaves(unknown, 'wire', sourceOf, (c) => {
      const at = { category: 'wire' as const, pointer: c.pointer, before: c.before, after: c.after };
      if (c.path[0] === 'consumer') {
        return c.after === 'tolerate'
          ? finding({
              ...at,
              rule: 'wire.readers-tolerate-unknown',
              reason:
                'readers now ignore unknown fields: more messages are accepted, none rejected that were accepted before',
            })
          : finding({
              ...at,
              rule: 'wire.readers-reject-unknown',
              breaks: ['writer'],
              reason:
                'readers no longer ignore unknown fields: messages with a field added in a minor version now go to the DLQ',
            });
      }
      if (c.path[0] === 'producer') {
        return c.after === 'reject'
          ? finding({
              ...at,
              rule: 'wire.writers-reject-unknown',
              reason:
                'writers now refuse unknown fields before sending: they send less, readers are unaffected',
            })
          : finding({
              ...at,
              rule: 'wire.writers-tolerate-unknown',
              breaks: tolerateUnknown.base ? [] : ['reader'],
              reason: tolerateUnknown.base
                ? 'writers may send unknown fields; existing readers ignore them'
                : 'writers may send unknown fields that existing readers reject',
            });
      }
      return undefined;
    }),
  );
  return { findings, owns };
};
