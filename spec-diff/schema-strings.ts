import { type Finding, child, finding } from './finding.js';
import { type JsonObject, deepEqual, showChange } from './json-utils.js';
import { comparePatterns } from './regex-language.js';
import type { SchemaContext } from './schema-context.js';

/** The keywords that decide which strings a schema accepts (format aside). */
export const STRING_KEYS = ['pattern', 'minLength', 'maxLength'];

/**
 * A pattern rewritten together with a length bound (a bound moved into the pattern or out of
 * it): pattern and length are compared as one language with refa, in one finding, so a bound
 * the pattern now carries is not reported as dropped. Undefined when only one of them changed
 * or the language is undecided (the keywords are then judged one by one).
 */
export function compareStringLanguage(
  base: JsonObject,
  head: JsonObject,
  ctx: SchemaContext,
): Finding | undefined {
  const changed = STRING_KEYS.filter((k) => !deepEqual(base[k], head[k]));
  if (!changed.includes('pattern') || changed.length < 2) return undefined;
  const relation = comparePatterns(stringLanguage(base), stringLanguage(head));
  if (relation.kind === 'undecided') return undefined;
  const pick = (schema: JsonObject) =>
    Object.fromEntries(STRING_KEYS.filter((k) => k in schema).map((k) => [k, schema[k]]));
  const at = {
    category: ctx.category,
    pointer: child(ctx.pointer, 'pattern'),
    source: child(ctx.source, 'pattern'),
    before: pick(base),
    after: pick(head),
  };
  const what = `${changed.join(', ')} rewritten together (${showChange(at.before, at.after)})`;
  switch (relation.kind) {
    case 'equal':
      return finding({
        ...at,
        rule: 'wire.strings-unchanged',
        reason: `${what}, but pattern and length bounds accept exactly the same strings (decided with refa), so no writer or reader breaks`,
      });
    case 'narrowed':
      return finding({
        ...at,
        rule: 'wire.strings-narrowed',
        breaks: ['writer'],
        reason: `${what}: strictly fewer strings accepted, e.g. ${JSON.stringify(relation.example)} was valid and is rejected now: existing writers may send it`,
      });
    case 'widened':
      return finding({
        ...at,
        rule: 'wire.strings-widened',
        breaks: ['reader'],
        reason: `${what}: strictly more strings accepted, e.g. ${JSON.stringify(relation.example)} is valid now: new writers may send it and existing readers reject it`,
      });
    case 'incomparable':
      return finding({
        ...at,
        rule: 'wire.strings-changed',
        breaks: ['reader', 'writer'],
        reason: `${what}: neither includes the other: ${JSON.stringify(relation.onlyBase)} is valid only before, ${JSON.stringify(relation.onlyHead)} only after`,
      });
  }
}

/** The patterns of a schema plus its length bounds as one more pattern (lengths count code points, as in JSON Schema). */
function stringLanguage(schema: JsonObject): string[] {
  const patterns =
    schema.pattern === undefined
      ? []
      : Array.isArray(schema.pattern)
        ? schema.pattern.map(String)
        : [String(schema.pattern)];
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : '';
  return [...patterns, `^[^]{${min},${max}}$`];
}
