import type { SchemaFiles } from './spec-source.js';

function pointer(doc: unknown, fragment: string): unknown {
  return fragment
    .split('/')
    .filter(Boolean)
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], doc);
}

/**
 * Inlines every `$ref` between schema files (sibling keywords of a `$ref` are kept and win), and
 * drops `$id`/`$schema`, so generators that cannot follow file refs see one self-contained schema.
 */
export function dereference(schemas: SchemaFiles, file: string): Record<string, unknown> {
  const walk = (node: unknown, current: string): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, current));
    if (node === null || typeof node !== 'object') return node;
    const record = node as Record<string, unknown>;
    if (typeof record.$ref === 'string') {
      const [target = '', fragment = ''] = record.$ref.split('#');
      const targetFile = target || current;
      const resolved = pointer(schemas[targetFile], fragment);
      if (resolved === undefined) throw new Error(`unresolved $ref ${record.$ref} in ${current}`);
      const siblings = { ...record };
      delete siblings.$ref;
      return { ...(walk(resolved, targetFile) as object), ...(walk(siblings, current) as object) };
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record)) {
      if (key !== '$id' && key !== '$schema') out[key] = walk(value, current);
    }
    return out;
  };
  return walk(schemas[file], file) as Record<string, unknown>;
}
