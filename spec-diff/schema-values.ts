import { Ajv, type ValidateFunction } from 'ajv';
import { type JsonObject, deepEqual, isObject } from './json-utils.js';

const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: false });
const compiled = new Map<string, ValidateFunction | null>();

/** Drops keys that would make ajv register or resolve anything (the schema is already dereferenced). */
function standalone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(standalone);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== '$id' && k !== '$schema' && k !== 'id')
      .map(([k, v]) => [k, standalone(v)]),
  );
}

function validator(schema: JsonObject): ValidateFunction | null {
  const key = JSON.stringify(schema);
  let fn = compiled.get(key);
  if (fn === undefined) {
    try {
      fn = ajv.compile(standalone(schema) as JsonObject);
    } catch {
      fn = null;
    }
    compiled.set(key, fn);
  }
  return fn;
}

/**
 * The exact set of values a schema accepts when `const` or `enum` pins it to finitely many:
 * each candidate is kept only if the whole schema (type, bounds, pattern, ...) accepts it, as
 * ajv decides. Undefined when the set is not finite or cannot be decided (formats, which ajv
 * here does not check, are compared by the keyword rules).
 */
export function finiteValues(schema: JsonObject): unknown[] | undefined {
  const candidates =
    'const' in schema ? [schema.const] : Array.isArray(schema.enum) ? (schema.enum as unknown[]) : undefined;
  if (candidates === undefined || 'format' in schema) return undefined;
  const validate = validator(schema);
  if (validate === null) return undefined;
  const accepted: unknown[] = [];
  for (const value of candidates) {
    if (validate(value) && !accepted.some((a) => deepEqual(a, value))) accepted.push(value);
  }
  return accepted;
}
