import { DOC_KEYS } from './doc-keys.js';
import { isObject } from './json-utils.js';

/** Drops prose keys (title, description, x-clauses, ...) at every level; other `x-` keys stay. */
export function stripProse(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripProse);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !DOC_KEYS.has(k))
      .map(([k, v]) => [k, stripProse(v)]),
  );
}

/** JSON with object keys sorted, so equal values print equal whatever their key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (!isObject(value)) return JSON.stringify(value) ?? 'null';
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
}

/**
 * What identifies a message on the wire: its payload, headers, bindings, content type and
 * correlation id, prose aside. Two messages with the same identity carry the same bytes, so a
 * new key or `name` for one of them is a rename.
 */
export function messageIdentity(message: unknown): string {
  const m = isObject(message) ? message : {};
  return canonical(
    stripProse({
      payload: m.payload,
      headers: m.headers,
      bindings: m.bindings,
      contentType: m.contentType,
      correlationId: m.correlationId,
    }),
  );
}

/** What a channel is, prose aside: address, parameters, messages, bindings, stream. */
export const channelIdentity = (channel: unknown): string => canonical(stripProse(channel));

/** What an operation does, prose aside: action, channel, messages, bindings, consumer. */
export const operationIdentity = (operation: unknown): string => canonical(stripProse(operation));

/** Pairs removed keys with added keys of the same identity, one to one, in order. */
export function pairRenames(
  removed: readonly string[],
  added: readonly string[],
  identityOf: { base(key: string): string; head(key: string): string },
): [string, string][] {
  const pending = [...added];
  const pairs: [string, string][] = [];
  for (const old of removed) {
    const i = pending.findIndex((key) => identityOf.head(key) === identityOf.base(old));
    if (i < 0) continue;
    pairs.push([old, pending[i] ?? '']);
    pending.splice(i, 1);
  }
  return pairs;
}

/** The `{name}` placeholders of a channel address, in order. */
export const addressParameters = (address: unknown): string[] =>
  [...String(address).matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? '');

/** The address with every placeholder blanked: equal shapes render the same subjects for the same values. */
export const addressShape = (address: unknown): string => String(address).replace(/\{[^}]*\}/g, '{}');
