import mergeAllOf from 'json-schema-merge-allof';
import { ANNOTATION_KEYS, DOC_KEYS } from './doc-keys.js';
import type { JsonObject } from './json-utils.js';

/** Keywords whose conflicting values in allOf parts do not change which values are valid. */
const keepFirst = (key: string): boolean =>
  DOC_KEYS.has(key) || ANNOTATION_KEYS.has(key) || key.startsWith('x-');

/**
 * The schema with every `allOf` merged into its parent (json-schema-merge-allof), so that a
 * schema split into parts compares by meaning. Conflicting patterns are kept as a list (all
 * must match; see regex-language.ts); conflicting prose keeps the first. Returns undefined when
 * the parts cannot be merged exactly (e.g. two different `const`s): the caller then compares
 * the parts one by one.
 */
export function mergedSchema(schema: JsonObject): JsonObject | undefined {
  try {
    const options = {
      resolvers: {
        // A list of patterns stands for their conjunction; the library's own `(?=a)(?=b)` form
        // uses lookaheads, which the regex comparison cannot decide.
        pattern: (values: unknown[]) => [...new Set(values.flat())],
        defaultResolver: (values: unknown[], path: string[]) =>
          keepFirst(path[path.length - 1] ?? '') ? values[0] : undefined,
      },
    };
    return mergeAllOf(
      structuredClone(schema) as Parameters<typeof mergeAllOf>[0],
      options as unknown as Parameters<typeof mergeAllOf>[1],
    ) as JsonObject;
  } catch {
    return undefined;
  }
}
