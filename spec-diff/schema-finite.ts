import { ANNOTATION_KEYS, DOC_KEYS } from './doc-keys.js';
import { type Finding, child, finding } from './finding.js';
import { type JsonObject, deepEqual, unionKeys } from './json-utils.js';
import type { SchemaContext } from './schema-context.js';

/** Doc and annotation keys of a schema (validation keywords are compared elsewhere). */
export function compareAnnotations(
  base: JsonObject,
  head: JsonObject,
  ctx: SchemaContext,
  keys: string[],
): Finding[] {
  const out: Finding[] = [];
  for (const key of keys) {
    const b = base[key];
    const h = head[key];
    if (deepEqual(b, h)) continue;
    const at = { pointer: child(ctx.pointer, key), source: child(ctx.source, key) };
    if (DOC_KEYS.has(key) || key.startsWith('x-')) {
      out.push(
        finding({
          ...at,
          category: ctx.category,
          rule: 'wire.doc',
          classification: 'doc-only',
          before: b,
          after: h,
          reason: `'${key}' changed: documentation only, no value changes validity`,
        }),
      );
    } else if (ANNOTATION_KEYS.has(key)) {
      out.push(
        finding({
          ...at,
          category: ctx.category,
          rule: 'wire.annotation',
          before: b,
          after: h,
          reason: `annotation '${key}' changed: no value changes validity, but generators may read it`,
        }),
      );
    }
  }
  return out;
}

export const isAnnotation = (key: string): boolean =>
  DOC_KEYS.has(key) || key.startsWith('x-') || ANNOTATION_KEYS.has(key);

/**
 * Both sides pinned to finitely many values by `const`/`enum`: the accepted sets decide
 * (`type: integer` -> `number` under `const: 1` changes nothing).
 */
export function compareFinite(
  base: JsonObject,
  head: JsonObject,
  values: { base: unknown[]; head: unknown[] },
  ctx: SchemaContext,
): Finding[] {
  const keys = unionKeys(base, head);
  const out = compareAnnotations(base, head, ctx, keys);
  const changedKeys = keys.filter((k) => !isAnnotation(k) && !deepEqual(base[k], head[k]));
  if (changedKeys.length === 0) return out;
  const removed = values.base.filter((v) => !values.head.some((x) => deepEqual(x, v)));
  const added = values.head.filter((v) => !values.base.some((x) => deepEqual(x, v)));
  const list = (vs: unknown[]) => vs.map((v) => JSON.stringify(v)).join(', ');
  const key = changedKeys.includes('enum')
    ? 'enum'
    : changedKeys.includes('const')
      ? 'const'
      : changedKeys[0];
  const at = {
    category: ctx.category,
    pointer: child(ctx.pointer, key ?? ''),
    source: child(ctx.source, key ?? ''),
    before: base[key ?? ''],
    after: head[key ?? ''],
  };
  if (values.base.length === 1 && values.head.length === 1 && removed.length === 1) {
    out.push(
      finding({
        ...at,
        rule: 'wire.const-changed',
        breaks: ['reader', 'writer'],
        reason: `the only accepted value changed from ${list(values.base)} to ${list(values.head)}: no value is valid for both old and new`,
      }),
    );
    return out;
  }
  if (removed.length > 0)
    out.push(
      finding({
        ...at,
        rule: 'wire.enum-value-removed',
        breaks: ['writer'],
        reason: `value(s) ${list(removed)} no longer accepted: existing writers may still send them and new readers reject them`,
      }),
    );
  if (added.length > 0)
    out.push(
      finding({
        ...at,
        rule: 'wire.enum-value-added',
        breaks: ['reader'],
        reason: `value(s) ${list(added)} now accepted: new writers may send them and existing readers reject them`,
      }),
    );
  if (removed.length === 0 && added.length === 0)
    out.push(
      finding({
        ...at,
        rule: changedKeys.length === 1 && key === 'enum' ? 'wire.enum-reordered' : 'wire.values-unchanged',
        reason:
          changedKeys.length === 1 && key === 'enum'
            ? 'enum values reordered; the same values are valid (generated code may change order)'
            : `${changedKeys.join(', ')} changed, but both sides accept exactly ${list(values.head)} (decided by validating each candidate of const/enum against both schemas), so no writer or reader breaks`,
      }),
    );
  return out;
}
