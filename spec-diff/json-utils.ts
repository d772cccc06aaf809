import { diffWords } from 'diff';

/** A plain JSON object. */
export type JsonObject = Record<string, unknown>;

/** True for a plain object (not an array, not null). */
export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
    );
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
}

/** Keys of both objects, base order first. */
export function unionKeys(a: JsonObject | undefined, b: JsonObject | undefined): string[] {
  return [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])];
}

/** Text compared without caring about line wrapping or indentation. */
export const normalizeText = (value: unknown): unknown =>
  typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : value;

/** Printable form of one value for reasons (long values are cut: use {@link showChange} for a before/after pair). */
export function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return 'absent';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Unchanged text kept on each side of a change in {@link showChange}. */
const CONTEXT = 24;

/**
 * A before/after pair for reasons: short values in full (`a -> b`), long ones as a word diff of
 * their texts (jsdiff) that shows every changed part with a little context:
 * `...by event_id as a [-byte string-]{+code point sequence+}: PostgreSQL...`.
 */
export function showChange(before: unknown, after: unknown): string {
  if (before === undefined || after === undefined || deepEqual(before, after))
    return `${show(before)} -> ${show(after)}`;
  const a = typeof before === 'string' ? before : JSON.stringify(before);
  const b = typeof after === 'string' ? after : JSON.stringify(after);
  if (a.length + b.length <= 120) return `${show(before)} -> ${show(after)}`;
  const parts = diffWords(a, b);
  return parts
    .map((part, i) => {
      const text = part.value.replace(/\s+/g, ' ');
      if (part.added) return `{+${text}+}`;
      if (part.removed) return `[-${text}-]`;
      const first = i === 0;
      const last = i === parts.length - 1;
      if (text.length <= 2 * CONTEXT + 5) return text;
      if (first) return `...${text.slice(-CONTEXT)}`;
      if (last) return `${text.slice(0, CONTEXT)}...`;
      return `${text.slice(0, CONTEXT)} ... ${text.slice(-CONTEXT)}`;
    })
    .join('');
}
