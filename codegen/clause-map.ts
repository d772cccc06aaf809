import type { SchemaFiles } from './spec-source.js';

/** What the validator layer needs to turn an ajv error into a clause ID. */
export interface ClauseInfo {
  /** Instance path (JSON pointer, array indices dropped) -> clause ID, from `x-clause`. */
  clauses: Record<string, string>;
  /** Clause for an `additionalProperties` violation anywhere in the document. */
  unknownFieldsClause: string;
  /** Instance paths holding a `source_ts`-format timestamp (checked for a real calendar date). */
  timestampPaths: string[];
}

const TIMESTAMP_REF = '#/definitions/source_ts';

/**
 * Walks a root schema through `properties` and `$ref`s and collects its `x-clause` annotations by
 * instance path. An `x-clause` naming the unknown-fields clause marks a strict object rather than
 * a location, so it is not entered in the path map (a type error at that path is not about
 * unknown fields).
 */
export function clauseInfo(schemas: SchemaFiles, file: string, unknownFieldsClause: string): ClauseInfo {
  const clauses: Record<string, string> = {};
  const timestampPaths: string[] = [];
  let rootUnknown: string | undefined;
  const note = (path: string, clause: unknown): void => {
    if (typeof clause !== 'string') return;
    if (clause === unknownFieldsClause) {
      if (path === '') rootUnknown = clause;
      return;
    }
    // The property-level annotation (seen first) wins over the referenced schema's own.
    if (!(path in clauses)) clauses[path] = clause;
  };
  const walk = (schema: Record<string, unknown>, current: string, path: string): void => {
    note(path, schema['x-clause']);
    if (typeof schema.$ref === 'string') {
      const [target = '', fragment = ''] = schema.$ref.split('#');
      const targetFile = target || current;
      if (schema.$ref.endsWith(TIMESTAMP_REF)) timestampPaths.push(path);
      const resolved = fragment
        .split('/')
        .filter(Boolean)
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], schemas[targetFile]);
      walk(resolved as Record<string, unknown>, targetFile, path);
    }
    const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
    for (const [key, child] of Object.entries(properties ?? {})) walk(child, current, `${path}/${key}`);
  };
  walk(schemas[file] as Record<string, unknown>, file, '');
  const sorted = Object.fromEntries(Object.entries(clauses).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    clauses: sorted,
    unknownFieldsClause: rootUnknown ?? clauses[''] ?? unknownFieldsClause,
    timestampPaths: timestampPaths.sort(),
  };
}
