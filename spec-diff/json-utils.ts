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

/** Short printable form of a value for reasons. */
export function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return 'absent';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
