import { DOC_KEYS } from './doc-keys.js';
import { type Finding, type Side, child, finding } from './finding.js';
import { deepEqual, isObject } from './json-utils.js';
import { type SchemaContext, enter, same } from './schema-context.js';

/** The recursive schema comparison, passed in to keep the import graph acyclic. */
type Compare = (base: unknown, head: unknown, ctx: SchemaContext) => Finding[];

/** Drops doc keys so that branches differing only in prose pair up. */
export function stripDocs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDocs);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !DOC_KEYS.has(k) && !k.startsWith('x-'))
      .map(([k, v]) => [k, stripDocs(v)]),
  );
}

export function compareComposition(
  key: 'allOf' | 'anyOf' | 'oneOf',
  b: unknown,
  h: unknown,
  ctx: SchemaContext,
  compareSchemas: Compare,
): Finding[] {
  if (same(ctx, b, h)) return [];
  const at = { category: ctx.category, pointer: child(ctx.pointer, key), source: child(ctx.source, key) };
  const widenOnAdd = key !== 'allOf';
  if (!Array.isArray(b) || !Array.isArray(h)) {
    const added = Array.isArray(h);
    return [
      finding({
        ...at,
        rule: added ? 'wire.composition-added' : 'wire.composition-removed',
        breaks: added ? ['writer'] : ['reader'],
        before: b,
        after: h,
        reason: added
          ? `${key} added: values must now also match it, existing writers may not`
          : `${key} removed: new writers may send values existing readers reject`,
      }),
    ];
  }
  const out: Finding[] = [];
  const pending = b.map((_, i) => i);
  const pair: (number | undefined)[] = h.map((hb) => {
    const i = pending.findIndex((bi) => deepEqual(stripDocs(b[bi]), stripDocs(hb)));
    return i >= 0 ? pending.splice(i, 1)[0] : undefined;
  });
  h.forEach((hb, hi) => {
    if (pair[hi] !== undefined) return;
    const origin = isObject(hb) ? ctx.origins.head.get(hb) : undefined;
    const i = origin
      ? pending.findIndex((bi) => isObject(b[bi]) && ctx.origins.base.get(b[bi]) === origin)
      : -1;
    if (i >= 0) pair[hi] = pending.splice(i, 1)[0];
  });
  h.forEach((hb, hi) => {
    if (pair[hi] === undefined && pending.length > 0 && b.length === h.length) pair[hi] = pending.shift();
  });
  h.forEach((hb, hi) => {
    const bi = pair[hi];
    if (bi !== undefined) {
      out.push(...compareSchemas(b[bi], hb, enter(ctx, b[bi], hb, key, hi)));
    } else {
      const side: Side = widenOnAdd ? 'reader' : 'writer';
      out.push(
        finding({
          ...at,
          pointer: child(at.pointer, hi),
          rule: 'wire.branch-added',
          breaks: [side],
          after: hb,
          reason: widenOnAdd
            ? `${key} branch added: new writers may send values existing readers reject${key === 'oneOf' ? ' (and values matching two branches now fail oneOf)' : ''}`
            : 'allOf branch added: values must also match it, and existing writers may not',
        }),
      );
    }
  });
  for (const bi of pending) {
    const side: Side = widenOnAdd ? 'writer' : 'reader';
    out.push(
      finding({
        ...at,
        pointer: child(at.pointer, bi),
        rule: 'wire.branch-removed',
        breaks: [side],
        before: b[bi],
        reason: widenOnAdd
          ? `${key} branch removed: existing writers may send values of it that new readers reject`
          : `allOf branch removed: new writers may send values it used to exclude, which existing readers reject`,
      }),
    );
  }
  return out;
}
