import type { Category } from './finding.js';
import { child } from './finding.js';
import { type JsonObject, deepEqual, isObject } from './json-utils.js';

/** Where a schema comparison stands, and what readers do with unknown properties. */
export interface SchemaContext {
  category: Category;
  /** JSON pointer of the schema in the dereferenced spec. */
  pointer: string;
  /** Location in the source files (`file#pointer`). */
  source: string;
  /** Whether readers ignore properties a closed schema does not list (x-unknown-fields consumer: tolerate). */
  tolerateUnknown: { base: boolean; head: boolean };
  origins: { base: WeakMap<object, string>; head: WeakMap<object, string> };
  /** Inside a message's `headers`: NATS header values are strings, and a header nobody defined is not sent. */
  headers?: boolean;
}

/** `true`/absent accept everything; `false` accepts nothing. */
export function asSchema(value: unknown): JsonObject {
  if (value === false) return { not: {} };
  return isObject(value) ? value : {};
}

/** Equal values and the same `$ref` targets all the way down (a retarget is a change even when the copy is identical). */
export function same(ctx: SchemaContext, b: unknown, h: unknown): boolean {
  if (!deepEqual(b, h)) return false;
  if (Array.isArray(b) && Array.isArray(h)) return b.every((x, i) => same(ctx, x, h[i]));
  if (!isObject(b) || !isObject(h)) return true;
  if (ctx.origins.base.get(b) !== ctx.origins.head.get(h)) return false;
  return Object.keys(b).every((k) => same(ctx, b[k], h[k]));
}

export function enter(
  ctx: SchemaContext,
  base: unknown,
  head: unknown,
  ...segments: (string | number)[]
): SchemaContext {
  const origin =
    (isObject(head) && ctx.origins.head.get(head)) ||
    (isObject(base) && ctx.origins.base.get(base)) ||
    undefined;
  return {
    ...ctx,
    pointer: child(ctx.pointer, ...segments),
    source: origin ?? child(ctx.source, ...segments),
  };
}
