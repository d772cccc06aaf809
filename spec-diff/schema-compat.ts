import { type Finding, child, finding } from './finding.js';
import { type JsonObject, deepEqual, isObject, unionKeys } from './json-utils.js';
import { compareComposition, stripDocs } from './schema-composition.js';
import { mergedSchema } from './schema-merge.js';
import { STRING_KEYS, compareStringLanguage } from './schema-strings.js';
import { compareAnnotations, compareFinite, isAnnotation } from './schema-finite.js';
import { finiteValues } from './schema-values.js';
import { type SchemaContext, asSchema, enter, same } from './schema-context.js';
import { compareKeyword } from './schema-keywords.js';

export type { SchemaContext } from './schema-context.js';

const COMPOSITIONS = ['allOf', 'anyOf', 'oneOf'] as const;

/**
 * Compares two JSON Schemas as a wire contract. The producer writes, the projector reads:
 * a change that lets new writers send what old readers reject breaks readers; a change that
 * makes new readers reject what old writers send breaks writers. Either is breaking.
 */
export function compareSchemas(baseValue: unknown, headValue: unknown, ctx: SchemaContext): Finding[] {
  const baseOrigin = isObject(baseValue) ? ctx.origins.base.get(baseValue) : undefined;
  const headOrigin = isObject(headValue) ? ctx.origins.head.get(headValue) : undefined;
  const retargeted = baseOrigin !== undefined && headOrigin !== undefined && baseOrigin !== headOrigin;
  if (same(ctx, baseValue, headValue)) return [];
  const inner =
    compareMerged(asSchema(baseValue), asSchema(headValue), ctx) ??
    compareBody(asSchema(baseValue), asSchema(headValue), ctx);
  if (!retargeted) return inner;
  const breaks = [...new Set(inner.flatMap((f) => f.breaks))];
  const identical = !inner.some((f) => f.classification !== 'doc-only');
  return [
    finding({
      category: ctx.category,
      rule: 'wire.ref-target-changed',
      pointer: ctx.pointer,
      source: ctx.source,
      breaks,
      before: baseOrigin,
      after: headOrigin,
      reason: identical
        ? `$ref now points at ${headOrigin} instead of ${baseOrigin}; the resolved schemas accept the same values (generated type names may change)`
        : `$ref now points at ${headOrigin} instead of ${baseOrigin}, and the resolved schemas differ (see the findings under ${ctx.pointer})`,
    }),
    ...inner,
  ];
}

/**
 * When the `allOf` parts changed (a schema split into parts, parts regrouped), compares the
 * merged schemas instead: parts are judged by what they accept together, not one by one.
 * Undefined when `allOf` did not change structurally or a side cannot be merged exactly.
 */
function compareMerged(base: JsonObject, head: JsonObject, ctx: SchemaContext): Finding[] | undefined {
  if (!('allOf' in base) && !('allOf' in head)) return undefined;
  if (deepEqual(stripDocs(base.allOf), stripDocs(head.allOf))) return undefined;
  const mergedBase = mergedSchema(base);
  const mergedHead = mergedSchema(head);
  if (mergedBase === undefined || mergedHead === undefined) return undefined;
  const inner = compareBody(mergedBase, mergedHead, ctx);
  const changed = inner.filter((f) => f.classification !== 'doc-only');
  if (changed.length > 0)
    return inner.map((f) => ({ ...f, reason: `${f.reason} (allOf parts merged before comparing)` }));
  return [
    finding({
      category: ctx.category,
      rule: 'wire.allof-restructured',
      pointer: ctx.pointer,
      source: ctx.source,
      reason:
        'allOf parts split, merged or regrouped; with the parts merged (json-schema-merge-allof) both sides accept exactly the same values, so no writer or reader breaks (generated types may change shape)',
    }),
    ...inner,
  ];
}

function compareBody(base: JsonObject, head: JsonObject, ctx: SchemaContext): Finding[] {
  const baseValues = finiteValues(base);
  const headValues = finiteValues(head);
  if (baseValues && headValues) return compareFinite(base, head, { base: baseValues, head: headValues }, ctx);
  const out: Finding[] = [];
  const handled = new Set([
    'properties',
    'additionalProperties',
    'required',
    ...COMPOSITIONS,
    'items',
    'propertyNames',
    'contains',
  ]);
  const keys = unionKeys(base, head);
  out.push(...compareAnnotations(base, head, ctx, keys));
  const strings = compareStringLanguage(base, head, ctx);
  if (strings) out.push(strings);
  for (const key of keys) {
    const b = base[key];
    const h = head[key];
    if (deepEqual(b, h) || isAnnotation(key) || handled.has(key)) continue;
    if (strings && STRING_KEYS.includes(key)) continue;
    const at = { pointer: child(ctx.pointer, key), source: child(ctx.source, key) };
    out.push(...compareKeyword(key, b, h, { ...at, category: ctx.category }));
  }
  out.push(...compareRequired(base, head, ctx));
  out.push(...compareProperties(base, head, ctx));
  out.push(...compareAdditional(base, head, ctx));
  for (const key of ['items', 'propertyNames', 'contains']) {
    if (same(ctx, base[key], head[key])) continue;
    if (Array.isArray(base[key]) || Array.isArray(head[key])) {
      out.push(
        ...compareKeyword(key, base[key], head[key], {
          pointer: child(ctx.pointer, key),
          source: child(ctx.source, key),
          category: ctx.category,
        }),
      );
    } else {
      out.push(...compareSchemas(base[key], head[key], enter(ctx, base[key], head[key], key)));
    }
  }
  for (const key of COMPOSITIONS)
    out.push(...compareComposition(key, base[key], head[key], ctx, compareSchemas));
  return out;
}

function compareRequired(base: JsonObject, head: JsonObject, ctx: SchemaContext): Finding[] {
  const b = new Set(Array.isArray(base.required) ? (base.required as string[]) : []);
  const h = new Set(Array.isArray(head.required) ? (head.required as string[]) : []);
  const added = [...h].filter((n) => !b.has(n));
  const removed = [...b].filter((n) => !h.has(n));
  const at = {
    category: ctx.category,
    pointer: child(ctx.pointer, 'required'),
    source: child(ctx.source, 'required'),
  };
  const out: Finding[] = [];
  if (added.length > 0) {
    out.push(
      finding({
        ...at,
        rule: 'wire.required-added',
        breaks: ['writer'],
        after: added,
        reason: `now required: ${added.join(', ')}; existing writers may omit them and new readers reject those messages`,
      }),
    );
  }
  if (removed.length > 0) {
    out.push(
      finding({
        ...at,
        rule: 'wire.required-removed',
        breaks: ['reader'],
        before: removed,
        reason: `no longer required: ${removed.join(', ')}; new writers may omit them and existing readers reject those messages`,
      }),
    );
  }
  return out;
}

function compareProperties(base: JsonObject, head: JsonObject, ctx: SchemaContext): Finding[] {
  const bp = isObject(base.properties) ? base.properties : {};
  const hp = isObject(head.properties) ? head.properties : {};
  const out: Finding[] = [];
  for (const name of unionKeys(bp, hp)) {
    const inBase = name in bp;
    const inHead = name in hp;
    const sub = enter(ctx, bp[name], hp[name], 'properties', name);
    if (inBase && inHead) {
      out.push(...compareSchemas(bp[name], hp[name], sub));
    } else if (inHead && ctx.headers && base.additionalProperties !== false) {
      out.push(
        finding({
          ...sub,
          category: ctx.category,
          rule: 'wire.header-added',
          after: hp[name],
          reason: `header '${name}' added${requiredIn(head, name) ? ' (required: see wire.required-added)' : ' as optional'}: existing writers do not send it, new readers accept messages without it, and existing readers ignore headers they do not know (NATS header values are strings)`,
        }),
      );
    } else if (inBase && !inHead && ctx.headers && head.additionalProperties !== false) {
      out.push(
        finding({
          ...sub,
          category: ctx.category,
          rule: 'wire.header-removed',
          before: bp[name],
          reason: `header '${name}' no longer described: new readers accept any string in it, and new writers may leave it out${requiredIn(base, name) ? ' (it was required: see wire.required-removed)' : ', as it was optional'}`,
        }),
      );
    } else if (inHead) {
      // Before, this name fell under base.additionalProperties.
      if (base.additionalProperties === false) {
        const tolerated = ctx.tolerateUnknown.base;
        out.push(
          finding({
            ...sub,
            category: ctx.category,
            rule: 'wire.property-added',
            breaks: tolerated ? [] : ['reader'],
            after: hp[name],
            reason: tolerated
              ? `optional property '${name}' added; existing readers ignore unknown properties (x-unknown-fields consumer: tolerate) and existing writers never send it`
              : `property '${name}' added to a closed object and existing readers reject unknown properties`,
          }),
        );
      } else {
        out.push(
          finding({
            ...sub,
            category: ctx.category,
            rule: 'wire.property-added',
            after: hp[name],
            reason: `property '${name}' now has its own schema; before, additionalProperties governed it (compared below)`,
          }),
        );
        out.push(...compareSchemas(base.additionalProperties, hp[name], sub));
      }
    } else if (head.additionalProperties === false) {
      const tolerated = ctx.tolerateUnknown.head;
      out.push(
        finding({
          ...sub,
          category: ctx.category,
          rule: 'wire.property-removed',
          breaks: tolerated ? [] : ['writer'],
          before: bp[name],
          reason: tolerated
            ? `property '${name}' removed; new readers ignore it when existing writers still send it (x-unknown-fields consumer: tolerate), and existing readers already treat it as optional unless it was required`
            : `property '${name}' removed from a closed object; new readers reject existing writers that still send it`,
        }),
      );
    } else {
      out.push(
        finding({
          ...sub,
          category: ctx.category,
          rule: 'wire.property-removed',
          before: bp[name],
          reason: `property '${name}' lost its own schema; additionalProperties now governs it (compared below)`,
        }),
      );
      out.push(...compareSchemas(bp[name], head.additionalProperties, sub));
    }
  }
  return out;
}

const requiredIn = (schema: JsonObject, name: string): boolean =>
  Array.isArray(schema.required) && schema.required.includes(name);

/** NATS header values are strings: an open headers object holds strings, whatever its schema says. */
const HEADER_VALUE = { type: 'string' };

function compareAdditional(base: JsonObject, head: JsonObject, ctx: SchemaContext): Finding[] {
  const open = (v: unknown) => (ctx.headers && (v === undefined || v === true) ? HEADER_VALUE : v);
  const b = open(base.additionalProperties);
  const h = open(head.additionalProperties);
  if (same(ctx, b, h)) return [];
  const at = {
    category: ctx.category,
    pointer: child(ctx.pointer, 'additionalProperties'),
    source: child(ctx.source, 'additionalProperties'),
    before: b,
    after: h,
  };
  if (b === false) {
    const tolerated = ctx.tolerateUnknown.base;
    return [
      finding({
        ...at,
        rule: 'wire.additional-properties-opened',
        breaks: tolerated ? [] : ['reader'],
        reason: tolerated
          ? 'object opened to unknown properties; existing readers ignore them (x-unknown-fields consumer: tolerate)'
          : 'object opened to unknown properties that existing readers reject',
      }),
    ];
  }
  if (h === false) {
    return [
      finding({
        ...at,
        rule: 'wire.additional-properties-closed',
        breaks: ['writer'],
        reason:
          'object closed to unlisted properties; existing writers may send properties the new schema forbids: strict validators reject them and tolerant readers drop data the old contract carried',
      }),
    ];
  }
  return compareSchemas(b, h, enter(ctx, b, h, 'additionalProperties'));
}
